// Drive a Gitea server through its own Go SDK (code.gitea.io/sdk/gitea).
//
//	gitea_drive SERVER_URL ADMIN PASSWORD --seed N [--rounds R] [--max-seconds S]
//
// Built and run by gitea.sh (the Go twin of workload.py: the same arguments, a seeded PRNG, the same
// weighted loop). A small software company's forge: users and organisations under the names people pick
// (`acme-platform`, `data.science`, `mobile_team`), repositories under names people pick (`payments-api`,
// `infra.terraform`, `docs_site`) made in users' and organisations' namespaces, with files at paths
// (`docs/setup.md`, `src/main.go`) created, read, updated and deleted on branches, branches and tags
// (`release/2.1`, `v1.4.0`), issues with labels and milestones filtered, commented, closed and reopened,
// pull requests opened from feature branches and merged, releases, teams, collaborators, topics, stars,
// webhooks with their config; searches; the errors people hit (a repository that is gone, a name taken,
// a file whose SHA moved, a wrong token). Many users act through the admin's token with Sudo.
package main

import (
	"encoding/base64"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"strings"
	"time"

	"code.gitea.io/sdk/gitea"
)

type repo struct {
	owner, name string
	branches    []string
	files       map[string]string // path -> sha on the default branch
	issues      []int64
	labels      []int64
	milestones  []int64
	tags        []string
	hooks       []int64
}

type forge struct {
	url, admin string
	c          *gitea.Client
	r          *rand.Rand
	users      []string
	orgs       []string
	repos      []*repo
	n          int
}

var userNames = []string{"alice", "bob.smith", "carol_dev", "dmitri-k", "eve", "fatima.z", "gus", "hana_s",
	"ivan.petrov", "jo-ops", "kenji", "lena.m"}
var orgNames = []string{"acme-platform", "data.science", "mobile_team", "Infra", "secops", "web-frontend", "ml.research"}
var repoNames = []string{"payments-api", "infra.terraform", "docs_site", "web-app", "ios-client", "etl.pipelines",
	"design-system", "auth_service", "helm-charts", "dotfiles", "blog", "ledger"}
var filePaths = []string{"README.md", "docs/setup.md", "src/main.go", "config/app.yaml", ".github/CODEOWNERS",
	"scripts/deploy.sh", "docs/adr/0001-record.md", "CHANGELOG.md", "src/api/handlers.go", "Makefile"}
var labelNames = []string{"bug", "enhancement", "good first issue", "priority/high", "area: billing", "wontfix", "needs-triage"}
var words = []string{"login", "timeout", "crash", "docs", "flaky test", "memory leak", "dark mode", "export CSV",
	"rate limit", "SSO", "upgrade Go", "typo"}
var topics = []string{"golang", "api", "terraform", "kubernetes", "docs", "react", "ml", "payments", "internal"}

func (f *forge) pick(xs []string) string { return xs[f.r.Intn(len(xs))] }

func (f *forge) as(user string) *gitea.Client {
	f.c.SetSudo(user)
	return f.c
}

func (f *forge) me() *gitea.Client {
	f.c.SetSudo("")
	return f.c
}

func (f *forge) pickRepo() *repo {
	if len(f.repos) == 0 {
		return nil
	}
	return f.repos[f.r.Intn(len(f.repos))]
}

func (f *forge) addUser() error {
	name := f.pick(userNames)
	for _, u := range f.users {
		if u == name {
			name = fmt.Sprintf("%s%d", name, f.r.Intn(90)+10)
		}
	}
	no := false
	_, _, err := f.me().AdminCreateUser(gitea.CreateUserOption{Username: name, Email: name + "@example.com",
		Password: "Passw0rd-" + name, MustChangePassword: &no, FullName: strings.Title(strings.ReplaceAll(name, ".", " "))})
	if err == nil {
		f.users = append(f.users, name)
	}
	return err
}

func (f *forge) addOrg() error {
	name := f.pick(orgNames)
	for _, o := range f.orgs {
		if o == name {
			name = fmt.Sprintf("%s-%d", name, f.r.Intn(90)+10)
		}
	}
	_, _, err := f.me().CreateOrg(gitea.CreateOrgOption{Name: name, FullName: strings.ToUpper(name[:1]) + name[1:],
		Description: f.pick([]string{"", "Platform team", "Where the data people live"}), Visibility: gitea.VisibleTypePublic})
	if err == nil {
		f.orgs = append(f.orgs, name)
	}
	return err
}

func (f *forge) addRepo() error {
	if len(f.users) == 0 {
		return f.addUser()
	}
	name := f.pick(repoNames)
	opt := gitea.CreateRepoOption{Name: name, Description: f.pick([]string{"", "Our " + name, "Mirror of the old SVN repo"}),
		Private: f.r.Intn(4) == 0, AutoInit: true, Readme: "Default", DefaultBranch: f.pick([]string{"main", "main", "master", "trunk"})}
	if f.r.Intn(3) == 0 {
		opt.IssueLabels = "Default"
	}
	var owner string
	var err error
	if len(f.orgs) > 0 && f.r.Intn(2) == 0 {
		owner = f.pick(f.orgs)
		_, _, err = f.me().CreateOrgRepo(owner, opt)
	} else {
		owner = f.pick(f.users)
		_, _, err = f.me().AdminCreateRepo(owner, opt)
	}
	if err == nil {
		f.repos = append(f.repos, &repo{owner: owner, name: name, branches: []string{opt.DefaultBranch},
			files: map[string]string{}})
	}
	return err
}

func (f *forge) files() error {
	rp := f.pickRepo()
	if rp == nil {
		return f.addRepo()
	}
	c := f.me()
	path := f.pick(filePaths)
	sha, known := rp.files[path]
	content := base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("# %s\n\nrev %d\n", path, f.r.Intn(1000))))
	switch roll := f.r.Intn(10); {
	case !known && roll < 6:
		resp, _, err := c.CreateFile(rp.owner, rp.name, path, gitea.CreateFileOptions{Content: content,
			FileOptions: gitea.FileOptions{Message: "Add " + path}})
		if err == nil {
			rp.files[path] = resp.Content.SHA
		}
		return err
	case known && roll < 4:
		resp, _, err := c.UpdateFile(rp.owner, rp.name, path, gitea.UpdateFileOptions{SHA: sha, Content: content,
			FileOptions: gitea.FileOptions{Message: "Update " + path}})
		if err == nil {
			rp.files[path] = resp.Content.SHA
		}
		return err
	case known && roll < 5:
		_, err := c.DeleteFile(rp.owner, rp.name, path, gitea.DeleteFileOptions{SHA: sha,
			FileOptions: gitea.FileOptions{Message: "Remove " + path}})
		if err == nil {
			delete(rp.files, path)
		}
		return err
	case roll < 8:
		_, _, err := c.GetContents(rp.owner, rp.name, f.pick(rp.branches), path)
		return err
	default:
		_, _, err := c.GetFile(rp.owner, rp.name, rp.branches[0], f.pick(append([]string{"README.md"}, path)))
		return err
	}
}

func (f *forge) branches() error {
	rp := f.pickRepo()
	if rp == nil {
		return nil
	}
	c := f.me()
	switch f.r.Intn(4) {
	case 0, 1:
		b := f.pick([]string{"feature/", "fix/", "release/", "", "dependabot/go_modules/"}) +
			f.pick([]string{"login-page", "2.1", "JIRA-1234", "bump-x-net", "cleanup"})
		_, _, err := c.CreateBranch(rp.owner, rp.name, gitea.CreateBranchOption{BranchName: b, OldBranchName: rp.branches[0]})
		if err == nil {
			rp.branches = append(rp.branches, b)
		}
		return err
	case 2:
		_, _, err := c.ListRepoBranches(rp.owner, rp.name, gitea.ListRepoBranchesOptions{})
		return err
	default:
		tag := fmt.Sprintf("v%d.%d.%d", f.r.Intn(3), f.r.Intn(10), f.r.Intn(10))
		if f.r.Intn(2) == 0 {
			_, _, err := c.ListRepoTags(rp.owner, rp.name, gitea.ListRepoTagsOptions{})
			return err
		}
		_, _, err := c.CreateTag(rp.owner, rp.name, gitea.CreateTagOption{TagName: tag, Message: "release " + tag, Target: rp.branches[0]})
		if err == nil {
			rp.tags = append(rp.tags, tag)
		}
		return err
	}
}

func (f *forge) issues() error {
	rp := f.pickRepo()
	if rp == nil || len(f.users) == 0 {
		return nil
	}
	c := f.as(f.pick(f.users))
	switch roll := f.r.Intn(10); {
	case roll < 3 || len(rp.issues) == 0:
		opt := gitea.CreateIssueOption{Title: strings.Title(f.pick(words)) + f.pick([]string{" fails on Safari", " is slow",
			" broken after upgrade", "", " — please help"}), Body: f.pick([]string{"", "Steps to reproduce:\n1. ...", "See logs"})}
		if len(rp.labels) > 0 && f.r.Intn(2) == 0 {
			opt.Labels = []int64{rp.labels[f.r.Intn(len(rp.labels))]}
		}
		if len(rp.milestones) > 0 && f.r.Intn(3) == 0 {
			opt.Milestone = rp.milestones[f.r.Intn(len(rp.milestones))]
		}
		is, _, err := f.me().CreateIssue(rp.owner, rp.name, opt)
		if err == nil {
			rp.issues = append(rp.issues, is.Index)
		}
		return err
	case roll < 5:
		opt := gitea.ListIssueOption{State: gitea.StateType(f.pick([]string{"open", "closed", "all"})), Type: gitea.IssueTypeIssue}
		if f.r.Intn(3) == 0 {
			opt.Labels = []string{f.pick(labelNames)}
		}
		if f.r.Intn(3) == 0 {
			opt.KeyWord = f.pick(words)
		}
		opt.ListOptions = gitea.ListOptions{Page: 1, PageSize: f.pick2(10, 50)}
		_, _, err := c.ListRepoIssues(rp.owner, rp.name, opt)
		return err
	case roll < 7:
		idx := rp.issues[f.r.Intn(len(rp.issues))]
		if f.r.Intn(2) == 0 {
			_, _, err := c.GetIssue(rp.owner, rp.name, idx)
			return err
		}
		_, _, err := c.CreateIssueComment(rp.owner, rp.name, idx, gitea.CreateIssueCommentOption{
			Body: f.pick([]string{"+1", "Can reproduce on 1.4", "Fixed in main, please verify", "@alice PTAL"})})
		return err
	case roll < 8:
		idx := rp.issues[f.r.Intn(len(rp.issues))]
		_, _, err := c.ListIssueComments(rp.owner, rp.name, idx, gitea.ListIssueCommentOptions{})
		return err
	default:
		idx := rp.issues[f.r.Intn(len(rp.issues))]
		st := gitea.StateType(f.pick([]string{"closed", "closed", "open"}))
		body := "Edited: " + f.pick(words)
		_, _, err := f.me().EditIssue(rp.owner, rp.name, idx, gitea.EditIssueOption{State: &st, Body: &body})
		return err
	}
}

func (f *forge) pick2(a, b int) int {
	if f.r.Intn(2) == 0 {
		return a
	}
	return b
}

func (f *forge) planning() error {
	rp := f.pickRepo()
	if rp == nil {
		return nil
	}
	c := f.me()
	switch f.r.Intn(6) {
	case 0, 1:
		l, _, err := c.CreateLabel(rp.owner, rp.name, gitea.CreateLabelOption{Name: f.pick(labelNames),
			Color: f.pick([]string{"#e11d21", "#00aabb", "#fbca04", "#5319e7"}), Description: f.pick([]string{"", "triage me"})})
		if err == nil {
			rp.labels = append(rp.labels, l.ID)
		}
		return err
	case 2:
		due := time.Date(2027, time.Month(f.r.Intn(12)+1), f.r.Intn(28)+1, 0, 0, 0, 0, time.UTC)
		m, _, err := c.CreateMilestone(rp.owner, rp.name, gitea.CreateMilestoneOption{
			Title: f.pick([]string{"v1.0", "Q3 2027", "Sprint 42", "Beta launch"}) + fmt.Sprintf(" #%d", f.r.Intn(100)), Deadline: &due})
		if err == nil {
			rp.milestones = append(rp.milestones, m.ID)
		}
		return err
	case 3:
		_, _, err := c.ListRepoLabels(rp.owner, rp.name, gitea.ListLabelsOptions{})
		return err
	case 4:
		_, _, err := c.ListRepoMilestones(rp.owner, rp.name, gitea.ListMilestoneOption{State: gitea.StateAll})
		return err
	default:
		if len(rp.issues) == 0 || len(rp.labels) == 0 {
			return nil
		}
		_, _, err := c.AddIssueLabels(rp.owner, rp.name, rp.issues[f.r.Intn(len(rp.issues))],
			gitea.IssueLabelsOption{Labels: []int64{rp.labels[f.r.Intn(len(rp.labels))]}})
		return err
	}
}

func (f *forge) pulls() error {
	rp := f.pickRepo()
	if rp == nil {
		return nil
	}
	c := f.me()
	if f.r.Intn(3) == 0 {
		_, _, err := c.ListRepoPullRequests(rp.owner, rp.name, gitea.ListPullRequestsOptions{
			State: gitea.StateType(f.pick([]string{"open", "closed", "all"}))})
		return err
	}
	f.n++
	b := fmt.Sprintf("feature/%s-%d", f.pick([]string{"sso", "csv-export", "retry", "docs"}), f.n)
	content := base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("change %d\n", f.n)))
	if _, _, err := c.CreateFile(rp.owner, rp.name, fmt.Sprintf("changes/%d.txt", f.n), gitea.CreateFileOptions{
		Content: content, FileOptions: gitea.FileOptions{Message: "Work on " + b, BranchName: rp.branches[0], NewBranchName: b}}); err != nil {
		return err
	}
	pr, _, err := c.CreatePullRequest(rp.owner, rp.name, gitea.CreatePullRequestOption{Head: b, Base: rp.branches[0],
		Title: "Implement " + f.pick(words), Body: "Closes nothing yet"})
	if err != nil || f.r.Intn(2) == 0 {
		return err
	}
	_, _, err = c.MergePullRequest(rp.owner, rp.name, pr.Index, gitea.MergePullRequestOption{
		Style: gitea.MergeStyle(f.pick([]string{"merge", "squash", "rebase"}))})
	return err
}

func (f *forge) releases() error {
	rp := f.pickRepo()
	if rp == nil {
		return nil
	}
	c := f.me()
	switch f.r.Intn(4) {
	case 0, 1:
		tag := fmt.Sprintf("v%d.%d.%d%s", f.r.Intn(3), f.r.Intn(10), f.r.Intn(10), f.pick([]string{"", "", "-rc1", "-beta.2"}))
		_, _, err := c.CreateRelease(rp.owner, rp.name, gitea.CreateReleaseOption{TagName: tag, Target: rp.branches[0],
			Title: "Release " + tag, Note: "## Changes\n- " + f.pick(words), IsPrerelease: strings.Contains(tag, "-")})
		if err == nil {
			rp.tags = append(rp.tags, tag)
		}
		return err
	case 2:
		_, _, err := c.ListReleases(rp.owner, rp.name, gitea.ListReleasesOptions{})
		return err
	default:
		if len(rp.tags) == 0 {
			return nil
		}
		_, _, err := c.GetReleaseByTag(rp.owner, rp.name, rp.tags[f.r.Intn(len(rp.tags))])
		return err
	}
}

func (f *forge) social() error {
	rp := f.pickRepo()
	if rp == nil || len(f.users) == 0 {
		return nil
	}
	switch f.r.Intn(8) {
	case 0:
		_, err := f.as(f.pick(f.users)).StarRepo(rp.owner, rp.name)
		return err
	case 1:
		mode := gitea.AccessMode(f.pick([]string{"read", "write", "admin"}))
		_, err := f.me().AddCollaborator(rp.owner, rp.name, f.pick(f.users), gitea.AddCollaboratorOption{Permission: &mode})
		return err
	case 2:
		_, _, err := f.me().ListCollaborators(rp.owner, rp.name, gitea.ListCollaboratorsOptions{})
		return err
	case 3:
		ts := []string{}
		for _, t := range topics {
			if f.r.Intn(4) == 0 {
				ts = append(ts, t)
			}
		}
		_, err := f.me().SetRepoTopics(rp.owner, rp.name, ts)
		return err
	case 4:
		_, _, err := f.me().ListRepoTopics(rp.owner, rp.name, gitea.ListRepoTopicsOptions{})
		return err
	case 5:
		_, _, err := f.as(f.pick(f.users)).GetRepo(rp.owner, rp.name)
		return err
	case 6:
		d := f.pick([]string{"Payments backend", "Terraform for prod + staging", "", "DEPRECATED: use v2"})
		w := f.pick([]string{"https://docs.example.com/" + rp.name, ""})
		_, _, err := f.me().EditRepo(rp.owner, rp.name, gitea.EditRepoOption{Description: &d, Website: &w})
		return err
	default:
		_, _, err := f.me().ListRepoCommits(rp.owner, rp.name, gitea.ListCommitOptions{SHA: rp.branches[0],
			ListOptions: gitea.ListOptions{Page: 1, PageSize: 10}})
		return err
	}
}

func (f *forge) hooks() error {
	rp := f.pickRepo()
	if rp == nil {
		return nil
	}
	c := f.me()
	switch roll := f.r.Intn(4); {
	case roll < 2:
		cfg := map[string]string{"url": fmt.Sprintf("http://127.0.0.1:9/hooks/%s", rp.name), "content_type": f.pick([]string{"json", "form"})}
		if f.r.Intn(2) == 0 {
			cfg["secret"] = fmt.Sprintf("s%d", f.r.Intn(1e6))
		}
		typ := gitea.HookType(f.pick([]string{"gitea", "gitea", "slack", "discord"}))
		if typ == "slack" {
			cfg["channel"] = f.pick([]string{"#deploys", "#ci"})
			cfg["username"] = "gitea"
		}
		h, _, err := c.CreateRepoHook(rp.owner, rp.name, gitea.CreateHookOption{Type: typ, Config: cfg, Active: f.r.Intn(3) > 0,
			Events: []string{f.pick([]string{"push", "issues", "pull_request", "release"})}, BranchFilter: f.pick([]string{"*", "main", "release/*"})})
		if err == nil {
			rp.hooks = append(rp.hooks, h.ID)
		}
		return err
	case roll < 3:
		_, _, err := c.ListRepoHooks(rp.owner, rp.name, gitea.ListHooksOptions{})
		return err
	default:
		if len(rp.hooks) == 0 {
			return nil
		}
		i := f.r.Intn(len(rp.hooks))
		id := rp.hooks[i]
		rp.hooks = append(rp.hooks[:i], rp.hooks[i+1:]...)
		_, err := c.DeleteRepoHook(rp.owner, rp.name, id)
		return err
	}
}

func (f *forge) orgs_() error {
	if len(f.orgs) == 0 || f.r.Intn(5) == 0 {
		return f.addOrg()
	}
	org := f.pick(f.orgs)
	c := f.me()
	switch f.r.Intn(5) {
	case 0:
		_, _, err := c.GetOrg(org)
		return err
	case 1:
		_, _, err := c.ListOrgRepos(org, gitea.ListOrgReposOptions{})
		return err
	case 2:
		t, _, err := c.CreateTeam(org, gitea.CreateTeamOption{Name: f.pick([]string{"backend", "Reviewers", "release-managers", "oncall"}) + fmt.Sprint(f.r.Intn(100)),
			Permission: gitea.AccessMode(f.pick([]string{"read", "write"})), Units: []gitea.RepoUnitType{gitea.RepoUnitCode, gitea.RepoUnitIssues, gitea.RepoUnitPulls}})
		if err != nil || len(f.users) == 0 {
			return err
		}
		_, err = c.AddTeamMember(t.ID, f.pick(f.users))
		return err
	case 3:
		_, _, err := c.ListOrgTeams(org, gitea.ListTeamsOptions{})
		return err
	default:
		_, _, err := c.SearchRepos(gitea.SearchRepoOptions{Keyword: f.pick(append(repoNames, topics...))})
		return err
	}
}

func (f *forge) people() error {
	if len(f.users) == 0 || f.r.Intn(6) == 0 {
		return f.addUser()
	}
	c := f.me()
	if f.r.Intn(2) == 0 {
		_, _, err := c.GetUserInfo(f.pick(f.users))
		return err
	}
	_, _, err := c.SearchUsers(gitea.SearchUsersOption{KeyWord: f.pick(f.users)[:2]})
	return err
}

func (f *forge) deleteRepo() error {
	if len(f.repos) < 6 {
		return nil
	}
	i := f.r.Intn(len(f.repos))
	rp := f.repos[i]
	f.repos = append(f.repos[:i], f.repos[i+1:]...)
	_, err := f.me().DeleteRepo(rp.owner, rp.name)
	return err
}

func (f *forge) mistakes() error {
	c := f.me()
	switch f.r.Intn(5) {
	case 0:
		_, _, err := c.GetRepo(f.pick(userNames), "no-such-repo")
		return err
	case 1:
		if rp := f.pickRepo(); rp != nil {
			_, _, err := c.CreateOrgRepo(f.pick(append(f.orgs, "acme-platform")), gitea.CreateRepoOption{Name: rp.name})
			return err
		}
	case 2:
		if rp := f.pickRepo(); rp != nil && len(rp.files) > 0 {
			for p := range rp.files {
				_, _, err := c.UpdateFile(rp.owner, rp.name, p, gitea.UpdateFileOptions{SHA: "0123456789abcdef0123456789abcdef01234567",
					Content: "eA==", FileOptions: gitea.FileOptions{Message: "stale"}})
				return err
			}
		}
	case 3:
		bad, _ := gitea.NewClient(f.url, gitea.SetToken("0000000000000000000000000000000000000000"), gitea.SetGiteaVersion(""))
		_, _, err := bad.GetMyUserInfo()
		return err
	default:
		if rp := f.pickRepo(); rp != nil {
			_, _, err := c.GetIssue(rp.owner, rp.name, 99999)
			return err
		}
	}
	return nil
}

func main() {
	seed := flag.Int64("seed", 0, "")
	rounds := flag.Int("rounds", 1100, "")
	maxSeconds := flag.Float64("max-seconds", 0, "")
	args := []string{}
	rest := os.Args[1:]
	for len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		args, rest = append(args, rest[0]), rest[1:]
	}
	flag.CommandLine.Parse(rest)
	if len(args) != 3 || *seed == 0 {
		fmt.Fprintln(os.Stderr, "usage: gitea_drive SERVER_URL ADMIN PASSWORD --seed N [--rounds R] [--max-seconds S]")
		os.Exit(2)
	}
	url, admin, password := args[0], args[1], args[2]
	basic, err := gitea.NewClient(url, gitea.SetBasicAuth(admin, password))
	if err != nil {
		panic(err)
	}
	tok, _, err := basic.CreateAccessToken(gitea.CreateAccessTokenOption{Name: fmt.Sprintf("drive-%d", *seed),
		Scopes: []gitea.AccessTokenScope{gitea.AccessTokenScopeAll}})
	if err != nil {
		panic(err)
	}
	c, err := gitea.NewClient(url, gitea.SetToken(tok.Token))
	if err != nil {
		panic(err)
	}
	f := &forge{url: url, admin: admin, c: c, r: rand.New(rand.NewSource(*seed))}
	for i := 0; i < 4; i++ {
		report(f.addUser())
	}
	for i := 0; i < 2; i++ {
		report(f.addOrg())
	}
	for i := 0; i < 5; i++ {
		report(f.addRepo())
	}
	steps := []struct {
		fn func() error
		w  float64
	}{{f.addRepo, 4}, {f.files, 14}, {f.branches, 6}, {f.issues, 18}, {f.planning, 7}, {f.pulls, 5}, {f.releases, 5},
		{f.social, 10}, {f.hooks, 4}, {f.orgs_, 6}, {f.people, 5}, {f.deleteRepo, 1}, {f.mistakes, 4}}
	total := 0.0
	for _, s := range steps {
		total += s.w
	}
	end := time.Now().Add(time.Duration(*maxSeconds * float64(time.Second)))
	for i := 0; i < *rounds; i++ {
		if *maxSeconds > 0 && time.Now().After(end) {
			break
		}
		x := f.r.Float64() * total
		for _, s := range steps {
			if x -= s.w; x < 0 {
				report(s.fn())
				break
			}
		}
	}
}

func report(err error) {
	if err != nil {
		msg := err.Error()
		if len(msg) > 120 {
			msg = msg[:120]
		}
		fmt.Fprintf(os.Stderr, "%T: %s\n", err, msg)
	}
}
