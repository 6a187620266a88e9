"""Make the organizers pretix_drive.py works for, each with a team holding every permission and its API
token (what pretix's "Teams" page does), and print `slug token` per line. Run in `python -m pretix shell`."""

from pretix.base.models import Organizer, Team, TeamAPIToken

for slug, name in (("berlin-jazz-collective", "Berlin Jazz Collective"), ("pycon-nordics", "PyCon Nordics e.V.")):
    org = Organizer.objects.create(slug=slug, name=name, plugins="pretix.plugins.banktransfer")
    team = Team.objects.create(organizer=org, name="Box office API", all_events=True, all_event_permissions=True,
                               all_organizer_permissions=True)
    print(slug, TeamAPIToken.objects.create(team=team, name="box office scripts").token)
