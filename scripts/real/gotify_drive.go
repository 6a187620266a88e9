// Drive a Gotify server through its own Go client (github.com/gotify/go-api-client/v2), and through its
// API as its web UI and its documented curl pushes call it.
//
//	gotify_drive SERVER_URL ADMIN PASSWORD --seed N [--rounds R] [--max-seconds S]
//
// Built and run by gotify.sh (the Go twin of workload.py: the same arguments, a seeded PRNG, the same
// weighted loop). A household's and a small ops team's push notifications: users under the names people
// pick (`anne`, `bob.smith`, `Familie Müller`), some admins, made, renamed, their passwords changed,
// deleted; each user's applications (the senders: `Backup NAS`, `Home Assistant`, `CI / GitHub Actions`)
// made, described, given an image and deleted, and clients (the receivers: `Pixel 8`, `Firefox on
// laptop`) made, renamed, deleted; messages pushed with an application's token, by the client with a
// JSON body and its extras (`client::display`, `client::notification`, `android::action`, and the
// namespaces each sender adds: `backup::job`, `homeassistant::entity`), and as the documentation's curl
// does (the token in the query, a form body); messages read as the web UI pages them (`limit`, `since`,
// all and per application), deleted one by one, per application and all; the version, health, current
// user and plugins the web UI asks; the errors people hit (a wrong token: 401, a user or application that
// is not there: 404, an application of another user, a user name taken, a message without text: 400).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/go-openapi/runtime"
	"github.com/gotify/go-api-client/v2/auth"
	api "github.com/gotify/go-api-client/v2/client"
	"github.com/gotify/go-api-client/v2/client/application"
	"github.com/gotify/go-api-client/v2/client/client"
	"github.com/gotify/go-api-client/v2/client/message"
	"github.com/gotify/go-api-client/v2/client/plugin"
	"github.com/gotify/go-api-client/v2/client/user"
	"github.com/gotify/go-api-client/v2/client/version"
	"github.com/gotify/go-api-client/v2/gotify"
	"github.com/gotify/go-api-client/v2/models"
)

type app struct {
	id    int64
	token string
	name  string
}

type person struct {
	id      int64
	name    string
	pass    string
	admin   bool
	apps    []*app
	clients []int64
	msgs    []int64
}

type drive struct {
	url    string
	c      *api.GotifyREST
	r      *rand.Rand
	admin  *person
	people []*person
	n      int
}

var (
	names   = []string{"anne", "bob.smith", "carol-home", "ops-bot", "Familie Müller", "dev@team", "jonas", "priya_k", "mateo", "Oma Hilde", "sre-oncall", "kemal"}
	apps    = []string{"Backup NAS", "Home Assistant", "grafana-alerts", "Uptime Kuma", "CI / GitHub Actions", "Watchtower", "Proxmox VE", "sonarr", "Nextcloud cron", "Paperless-ngx", "fail2ban", "smartd (disk health)"}
	clients = []string{"Pixel 8", "Firefox on laptop", "gotify-desktop", "Anne's iPhone", "Kitchen tablet", "work phone", "CLI on build-01"}
	titles  = []string{"Backup finished", "Backup FAILED", "Front door opened", "Deploy to production", "Disk /dev/sda: 2 reallocated sectors", "Container updated", "Site down: blog.example.org", "Site up again", "New episode downloaded", "Ban: 203.0.113.7 (sshd)", "", "Washing machine done 🧺"}
	bodies  = []string{"Snapshot rpool/data@daily-2026-12-06 took 4m12s (12.4 GiB)", "exit status 1: connection refused", "Motion detected in the **garden**", "v2.1.0 rolled out to 3/3 nodes", "See [the run](http://ci.example.invalid/run/4711)", "sonarr: S02E05 imported", "5 failed attempts in 10 min", "Temperature 71°C on nvme0", "ok"}
)

func (d *drive) pick(xs []string) string { return xs[d.r.Intn(len(xs))] }

func (d *drive) basic(p *person) runtime.ClientAuthInfoWriter { return auth.BasicAuth(p.name, p.pass) }

func (d *drive) somePerson() *person { return d.people[d.r.Intn(len(d.people))] }

func (d *drive) addUser() error {
	d.n++
	name := d.pick(names)
	for _, p := range d.people {
		if p.name == name {
			name = fmt.Sprintf("%s%d", name, d.n)
			break
		}
	}
	p := &person{name: name, pass: fmt.Sprintf("pw-%x", d.r.Int63()), admin: d.r.Float64() < 0.2}
	body := &models.UserExternalWithPass{UserExternal: models.UserExternal{Name: p.name, Admin: p.admin}, UserExternalPass: models.UserExternalPass{Pass: p.pass}}
	res, err := d.c.User.CreateUser(user.NewCreateUserParams().WithBody(body), d.basic(d.admin))
	if err != nil {
		return err
	}
	p.id = int64(res.Payload.ID)
	d.people = append(d.people, p)
	return nil
}

func (d *drive) addApp() error {
	p := d.somePerson()
	name := d.pick(apps)
	body := &models.Application{Name: name, Description: d.pick([]string{"", "nightly restic to the NAS", "alerts from the living room", "deploys of main", "ZFS scrub and SMART"})}
	res, err := d.c.Application.CreateApp(application.NewCreateAppParams().WithBody(body), d.basic(p))
	if err != nil {
		return err
	}
	p.apps = append(p.apps, &app{id: int64(res.Payload.ID), token: res.Payload.Token, name: name})
	return nil
}

func (d *drive) extras(a *app) map[string]interface{} {
	x := map[string]interface{}{}
	if d.r.Float64() < 0.5 {
		x["client::display"] = map[string]interface{}{"contentType": d.pick([]string{"text/markdown", "text/plain"})}
	}
	if d.r.Float64() < 0.3 {
		n := map[string]interface{}{"click": map[string]interface{}{"url": "http://grafana.example.invalid/d/abc?from=now-1h"}}
		if d.r.Float64() < 0.5 {
			n["bigImageUrl"] = "http://cams.example.invalid/snap.jpg"
		}
		x["client::notification"] = n
	}
	if d.r.Float64() < 0.15 {
		x["android::action"] = map[string]interface{}{"onReceive": map[string]interface{}{"intentUrl": "https://example.invalid/open"}}
	}
	switch {
	case strings.HasPrefix(a.name, "Backup") && d.r.Float64() < 0.6:
		x["backup::job"] = map[string]interface{}{"name": d.pick([]string{"daily", "weekly-offsite"}), "bytes": d.r.Intn(1 << 30), "ok": d.r.Float64() < 0.8}
	case a.name == "Home Assistant" && d.r.Float64() < 0.6:
		x["homeassistant::entity"] = map[string]interface{}{"entity_id": d.pick([]string{"binary_sensor.front_door", "sensor.washer_power"}), "state": d.pick([]string{"on", "off"})}
	}
	if len(x) == 0 {
		return nil
	}
	return x
}

func (d *drive) someApp() (*person, *app) {
	for i := 0; i < 10; i++ {
		p := d.somePerson()
		if len(p.apps) > 0 {
			return p, p.apps[d.r.Intn(len(p.apps))]
		}
	}
	return nil, nil
}

func (d *drive) push() error {
	p, a := d.someApp()
	if a == nil {
		return d.addApp()
	}
	prio := []int{0, 1, 2, 4, 5, 5, 8, 10}[d.r.Intn(8)]
	if d.r.Float64() < 0.3 {
		// as Gotify's documentation pushes: curl ".../message?token=..." -F title=... -F message=...
		form := url.Values{"title": {d.pick(titles)}, "message": {d.pick(bodies)}, "priority": {fmt.Sprint(prio)}}
		_, err := d.raw("POST", "/message?token="+url.QueryEscape(a.token), "", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
		return err
	}
	body := &models.MessageExternal{Title: d.pick(titles), Message: d.pick(bodies), Priority: prio, Extras: d.extras(a)}
	res, err := d.c.Message.CreateMessage(message.NewCreateMessageParams().WithBody(body), auth.TokenAuth(a.token))
	if err != nil {
		return err
	}
	p.msgs = append(p.msgs, int64(res.Payload.ID))
	return nil
}

func (d *drive) read() error {
	p := d.somePerson()
	limit := []int64{10, 50, 100, 100, 200}[d.r.Intn(5)]
	if d.r.Float64() < 0.5 || len(p.apps) == 0 {
		prm := message.NewGetMessagesParams().WithLimit(&limit)
		res, err := d.c.Message.GetMessages(prm, d.basic(p))
		if err != nil {
			return err
		}
		if since := int64(res.Payload.Paging.Since); since > 0 && d.r.Float64() < 0.6 {
			_, err = d.c.Message.GetMessages(message.NewGetMessagesParams().WithLimit(&limit).WithSince(&since), d.basic(p))
		}
		return err
	}
	a := p.apps[d.r.Intn(len(p.apps))]
	res, err := d.c.Message.GetAppMessages(message.NewGetAppMessagesParams().WithID(a.id).WithLimit(&limit), d.basic(p))
	if err != nil {
		return err
	}
	if since := int64(res.Payload.Paging.Since); since > 0 && d.r.Float64() < 0.5 {
		_, err = d.c.Message.GetAppMessages(message.NewGetAppMessagesParams().WithID(a.id).WithLimit(&limit).WithSince(&since), d.basic(p))
	}
	return err
}

func (d *drive) clean() error {
	p := d.somePerson()
	x := d.r.Float64()
	switch {
	case x < 0.6 && len(p.msgs) > 0:
		i := d.r.Intn(len(p.msgs))
		id := p.msgs[i]
		p.msgs = append(p.msgs[:i], p.msgs[i+1:]...)
		_, err := d.c.Message.DeleteMessage(message.NewDeleteMessageParams().WithID(id), d.basic(p))
		return err
	case x < 0.9 && len(p.apps) > 0:
		a := p.apps[d.r.Intn(len(p.apps))]
		_, err := d.c.Message.DeleteAppMessages(message.NewDeleteAppMessagesParams().WithID(a.id), d.basic(p))
		return err
	default:
		p.msgs = nil
		_, err := d.c.Message.DeleteMessages(message.NewDeleteMessagesParams(), d.basic(p))
		return err
	}
}

// a PNG of one pixel: what the web UI uploads as an application's image
var png = []byte{0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 'I', 'H', 'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89, 0, 0, 0, 0x0a, 'I', 'D', 'A', 'T', 0x78, 0x9c, 0x63, 0, 1, 0, 0, 5, 0, 1, 0x0d, 0x0a, 0x2d, 0xb4, 0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82}

func (d *drive) apps() error {
	p, a := d.someApp()
	if a == nil {
		return d.addApp()
	}
	x := d.r.Float64()
	switch {
	case x < 0.3:
		_, err := d.c.Application.GetApps(application.NewGetAppsParams(), d.basic(p))
		return err
	case x < 0.5:
		body := &models.Application{Name: a.name + d.pick([]string{"", " (old)", " 2", " – Keller"}), Description: d.pick([]string{"", "moved to the new NAS", "prod only"})}
		_, err := d.c.Application.UpdateApplication(application.NewUpdateApplicationParams().WithID(a.id).WithBody(body), d.basic(p))
		return err
	case x < 0.7:
		f := runtime.NamedReader("icon.png", bytes.NewReader(png))
		_, err := d.c.Application.UploadAppImage(application.NewUploadAppImageParams().WithID(a.id).WithFile(f), d.basic(p))
		return err
	case x < 0.8:
		_, err := d.raw("DELETE", fmt.Sprintf("/application/%d/image", a.id), p.name+":"+p.pass, "", nil)
		return err
	default:
		for i, b := range p.apps {
			if b == a {
				p.apps = append(p.apps[:i], p.apps[i+1:]...)
				break
			}
		}
		_, err := d.c.Application.DeleteApp(application.NewDeleteAppParams().WithID(a.id), d.basic(p))
		return err
	}
}

func (d *drive) receivers() error {
	p := d.somePerson()
	x := d.r.Float64()
	switch {
	case x < 0.35 || len(p.clients) == 0:
		res, err := d.c.Client.CreateClient(client.NewCreateClientParams().WithBody(&models.Client{Name: d.pick(clients)}), d.basic(p))
		if err == nil {
			p.clients = append(p.clients, int64(res.Payload.ID))
		}
		return err
	case x < 0.7:
		_, err := d.c.Client.GetClients(client.NewGetClientsParams(), d.basic(p))
		return err
	case x < 0.85:
		id := p.clients[d.r.Intn(len(p.clients))]
		_, err := d.c.Client.UpdateClient(client.NewUpdateClientParams().WithID(id).WithBody(&models.Client{Name: d.pick(clients) + " (new)"}), d.basic(p))
		return err
	default:
		i := d.r.Intn(len(p.clients))
		id := p.clients[i]
		p.clients = append(p.clients[:i], p.clients[i+1:]...)
		_, err := d.c.Client.DeleteClient(client.NewDeleteClientParams().WithID(id), d.basic(p))
		return err
	}
}

func (d *drive) users() error {
	x := d.r.Float64()
	switch {
	case x < 0.2 || len(d.people) < 3:
		return d.addUser()
	case x < 0.45:
		_, err := d.c.User.GetUsers(user.NewGetUsersParams(), d.basic(d.admin))
		return err
	case x < 0.65:
		_, err := d.c.User.GetUser(user.NewGetUserParams().WithID(d.somePerson().id), d.basic(d.admin))
		return err
	case x < 0.8:
		p := d.somePerson()
		if p == d.admin {
			return nil
		}
		p.admin = d.r.Float64() < 0.2
		body := &models.UserExternalWithPass{UserExternal: models.UserExternal{Name: p.name, Admin: p.admin}}
		if d.r.Float64() < 0.4 {
			p.pass = fmt.Sprintf("pw-%x", d.r.Int63())
			body.Pass = p.pass
		}
		_, err := d.c.User.UpdateUser(user.NewUpdateUserParams().WithID(p.id).WithBody(body), d.basic(d.admin))
		return err
	case x < 0.9:
		p := d.somePerson()
		old := d.basic(p)
		p.pass = fmt.Sprintf("pw-%x", d.r.Int63())
		_, err := d.c.User.UpdateCurrentUser(user.NewUpdateCurrentUserParams().WithBody(&models.UserExternalPass{Pass: p.pass}), old)
		return err
	default:
		if len(d.people) < 5 {
			return d.addUser()
		}
		i := 1 + d.r.Intn(len(d.people)-1)
		p := d.people[i]
		d.people = append(d.people[:i], d.people[i+1:]...)
		_, err := d.c.User.DeleteUser(user.NewDeleteUserParams().WithID(p.id), d.basic(d.admin))
		return err
	}
}

// what the web UI asks on each page load and what a monitor probes
func (d *drive) webUI() error {
	p := d.somePerson()
	x := d.r.Float64()
	switch {
	case x < 0.3:
		_, err := d.c.User.CurrentUser(user.NewCurrentUserParams(), d.basic(p))
		return err
	case x < 0.5:
		_, err := d.c.Version.GetVersion(version.NewGetVersionParams())
		return err
	case x < 0.75:
		_, err := d.raw("GET", "/health", "", "", nil)
		return err
	default:
		_, err := d.c.Plugin.GetPlugins(plugin.NewGetPluginsParams(), d.basic(p))
		return err
	}
}

func (d *drive) mistakes() error {
	p := d.somePerson()
	x := d.r.Float64()
	var err error
	switch {
	case x < 0.2:
		body := &models.MessageExternal{Title: "test", Message: "hello"}
		_, err = d.c.Message.CreateMessage(message.NewCreateMessageParams().WithBody(body), auth.TokenAuth("A"+fmt.Sprintf("%x", d.r.Int63())[:14]))
	case x < 0.35:
		_, err = d.c.User.GetUser(user.NewGetUserParams().WithID(900+d.r.Int63n(100)), d.basic(d.admin))
	case x < 0.5:
		_, err = d.c.Application.DeleteApp(application.NewDeleteAppParams().WithID(5000+d.r.Int63n(100)), d.basic(p))
	case x < 0.6:
		_, err = d.c.Application.CreateApp(application.NewCreateAppParams().WithBody(&models.Application{Name: ""}), d.basic(p))
	case x < 0.7:
		body := &models.UserExternalWithPass{UserExternal: models.UserExternal{Name: d.somePerson().name}, UserExternalPass: models.UserExternalPass{Pass: "x1"}}
		_, err = d.c.User.CreateUser(user.NewCreateUserParams().WithBody(body), d.basic(d.admin))
	case x < 0.8:
		_, err = d.c.Client.GetClients(client.NewGetClientsParams(), auth.BasicAuth(p.name, "wrong-password"))
	case x < 0.9:
		_, a := d.someApp()
		if a != nil {
			body := &models.MessageExternal{Title: "no text"}
			_, err = d.c.Message.CreateMessage(message.NewCreateMessageParams().WithBody(body), auth.TokenAuth(a.token))
		}
	default:
		_, err = d.c.Message.GetAppMessages(message.NewGetAppMessagesParams().WithID(7000+d.r.Int63n(100)), d.basic(p))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "expected:", trim(err.Error()))
	}
	return nil
}

func (d *drive) raw(method, path, userPass, contentType string, body io.Reader) (int, error) {
	req, err := http.NewRequest(method, d.url+path, body)
	if err != nil {
		return 0, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if userPass != "" {
		u, pw, _ := strings.Cut(userPass, ":")
		req.SetBasicAuth(u, pw)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode >= 400 {
		return res.StatusCode, fmt.Errorf("%s %s: %d", method, path, res.StatusCode)
	}
	return res.StatusCode, nil
}

func trim(s string) string {
	if len(s) > 140 {
		return s[:140]
	}
	return s
}

func main() {
	seed := flag.Int64("seed", 0, "")
	rounds := flag.Int("rounds", 1150, "")
	maxSeconds := flag.Float64("max-seconds", 0, "")
	args := []string{}
	rest := os.Args[1:]
	for len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		args, rest = append(args, rest[0]), rest[1:]
	}
	flag.CommandLine.Parse(rest)
	if len(args) != 3 || *seed == 0 {
		fmt.Fprintln(os.Stderr, "usage: gotify_drive SERVER_URL ADMIN PASSWORD --seed N [--rounds R] [--max-seconds S]")
		os.Exit(2)
	}
	u, err := url.Parse(strings.TrimRight(args[0], "/"))
	if err != nil {
		panic(err)
	}
	d := &drive{url: strings.TrimRight(args[0], "/"), c: gotify.NewClient(u, &http.Client{Timeout: 30 * time.Second}), r: rand.New(rand.NewSource(*seed))}
	d.admin = &person{id: 1, name: args[1], pass: args[2], admin: true}
	d.people = append(d.people, d.admin)
	for i := 0; i < 4; i++ {
		report(d.addUser())
	}
	for i := 0; i < 10; i++ {
		report(d.addApp())
	}
	steps := []struct {
		fn func() error
		w  float64
	}{{d.push, 30}, {d.read, 16}, {d.clean, 5}, {d.addApp, 3}, {d.apps, 7}, {d.receivers, 7}, {d.users, 6},
		{d.webUI, 10}, {d.mistakes, 4}}
	total := 0.0
	for _, s := range steps {
		total += s.w
	}
	end := time.Now().Add(time.Duration(*maxSeconds * float64(time.Second)))
	for i := 0; i < *rounds; i++ {
		if *maxSeconds > 0 && time.Now().After(end) {
			break
		}
		x := d.r.Float64() * total
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
		fmt.Fprintln(os.Stderr, "error:", trim(err.Error()))
	}
}
