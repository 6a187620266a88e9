// Drive a Miniflux server through its own Go client (miniflux.app/v2/client).
//
//	miniflux_drive SERVER_URL ADMIN PASSWORD FEEDS_URL FEEDS_DIR --seed N [--rounds R] [--max-seconds S]
//
// Built and run by miniflux.sh (the Go twin of workload.py: the same arguments, a seeded PRNG, the same
// weighted loop). FEEDS_DIR is the folder a local static server serves at FEEDS_URL: the driver writes the
// RSS and Atom feeds (and the pages their items link to) there and rewrites them so refreshes find new
// entries. A household's and a small team's feed reader: users under the names people pick (`anne`,
// `bob.smith`, `carol@home`), read by id and by name, their settings changed; categories under titles people
// type (`Tech News`, `Go & Rust`, `work/infra`, `Recipes 🍜`), renamed, hidden, emptied and deleted; feeds
// subscribed in them with the options people set (a user agent, a cookie, scraper, rewrite, block and keep
// rules), renamed, moved, refreshed, marked read and deleted; entries listed with the filters the web app
// and scripts use (status, starred, search, order, direction, limit and offset, dates, category and feed,
// tags), read, edited, starred in bulk and one by one, marked read in bulk; enclosures' playback position;
// counters, OPML export and import, discovery of a page's feeds, API keys made, listed and deleted, the
// history flushed; the errors people hit (a feed or category that is gone, a feed subscribed twice, a
// category title taken, a URL that is no feed, a wrong password, a user who is no admin).
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"time"

	miniflux "miniflux.app/v2/client"
)

type reader struct {
	name  string
	c     *miniflux.Client
	id    int64
	cats  []int64
	feeds []int64
}

type drive struct {
	url, feedsURL, feedsDir string
	admin                   *miniflux.Client
	r                       *rand.Rand
	readers                 []*reader
	files                   []string // feed files written: name -> served at feedsURL/name
	gen                     int
}

var userNames = []string{"anne", "bob.smith", "carol@home", "dmitri_k", "eve", "fatima-z", "gus", "hana"}
var catTitles = []string{"Tech News", "Go & Rust", "work/infra", "Recipes 🍜", "Podcasts", "security", "Blogs I follow",
	"Économie", "football", "ML papers", "Local (Berlin)", "read later"}
var feedTitles = []string{"Hacker Digest", "The Go Blog", "Rust Weekly", "Serious Eats", "Krebs on Security",
	"Le Monde – Économie", "BBC Sport Football", "arXiv cs.LG", "Berlin.de News", "Changelog Podcast",
	"Julia Evans", "LWN.net", "Planet PostgreSQL", "Tagesschau"}
var words = []string{"release", "kubernetes", "security", "pasta", "transfer", "election", "outage", "benchmark",
	"tutorial", "interview", "postgres", "wasm", "recipe", "goal"}
var themes = []string{"light_serif", "dark_sans_serif", "system_serif", "light_sans_serif", "dark_serif"}
var languages = []string{"en_US", "de_DE", "fr_FR", "ja_JP", "es_ES", "pt_BR"}
var zones = []string{"Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC", "Europe/Paris", "America/Sao_Paulo"}

func (d *drive) pick(xs []string) string { return xs[d.r.Intn(len(xs))] }

// writeFeed writes (or rewrites, with more items) one feed file and the pages its items link to.
func (d *drive) writeFeed(name, title string, items int, atom bool) {
	d.gen++
	var b strings.Builder
	if atom {
		fmt.Fprintf(&b, `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>%s</title>`+
			`<link href="%s/%s.html"/><id>urn:feed:%s</id><updated>%s</updated>`, title, d.feedsURL, name, name,
			time.Now().UTC().Format(time.RFC3339))
	} else {
		fmt.Fprintf(&b, `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>%s</title>`+
			`<link>%s/%s.html</link><description>%s feed</description>`, title, d.feedsURL, name, title)
	}
	for i := 0; i < items; i++ {
		w := d.pick(words)
		link := fmt.Sprintf("%s/%s-%d.html", d.feedsURL, name, i)
		page := fmt.Sprintf("<html><head><title>%s %d</title></head><body><article><h1>%s %d</h1><p>All about %s.</p>"+
			"</article></body></html>", w, i, w, i, w)
		os.WriteFile(filepath.Join(d.feedsDir, fmt.Sprintf("%s-%d.html", name, i)), []byte(page), 0o644)
		when := time.Now().Add(-time.Duration(items-i) * time.Hour).UTC()
		if atom {
			fmt.Fprintf(&b, `<entry><title>%s #%d</title><link href="%s"/><id>urn:%s:%d</id><updated>%s</updated>`+
				`<summary>%s news</summary><category term="%s"/></entry>`, w, i, link, name, i, when.Format(time.RFC3339), w, w)
		} else {
			enc := ""
			if strings.Contains(title, "Podcast") {
				enc = fmt.Sprintf(`<enclosure url="%s/%s-%d.mp3" length="%d" type="audio/mpeg"/>`, d.feedsURL, name, i, 1000+i)
			}
			fmt.Fprintf(&b, `<item><title>%s #%d</title><link>%s</link><guid>%s</guid><pubDate>%s</pubDate>`+
				`<description>&lt;p&gt;%s news&lt;/p&gt;</description><category>%s</category>%s</item>`, w, i, link, link,
				when.Format(time.RFC1123Z), w, w, enc)
		}
	}
	if atom {
		b.WriteString("</feed>")
	} else {
		b.WriteString("</channel></rss>")
	}
	os.WriteFile(filepath.Join(d.feedsDir, name+".xml"), []byte(b.String()), 0o644)
	html := fmt.Sprintf(`<html><head><title>%s</title><link rel="alternate" type="application/rss+xml" title="%s" `+
		`href="%s/%s.xml"></head><body>%s</body></html>`, title, title, d.feedsURL, name, title)
	os.WriteFile(filepath.Join(d.feedsDir, name+".html"), []byte(html), 0o644)
}

func (d *drive) someReader() *reader { return d.readers[d.r.Intn(len(d.readers))] }

func (d *drive) addUser() error {
	name := fmt.Sprintf("%s%d", d.pick(userNames), d.r.Intn(100))
	pw := "realset-" + name + "-pw"
	u, err := d.admin.CreateUser(name, pw, d.r.Float64() < 0.2)
	if err != nil {
		return err
	}
	d.readers = append(d.readers, &reader{name: name, c: miniflux.NewClient(d.url, name, pw), id: u.ID})
	return nil
}

func (d *drive) addCategory() error {
	rd := d.someReader()
	title := d.pick(catTitles)
	if d.r.Float64() < 0.3 {
		title = fmt.Sprintf("%s %d", title, d.r.Intn(50))
	}
	var c *miniflux.Category
	var err error
	if d.r.Float64() < 0.3 {
		c, err = rd.c.CreateCategoryWithOptions(&miniflux.CategoryCreationRequest{Title: title, HideGlobally: d.r.Float64() < 0.5})
	} else {
		c, err = rd.c.CreateCategory(title)
	}
	if err != nil {
		return err
	}
	rd.cats = append(rd.cats, c.ID)
	return nil
}

func (d *drive) subscribe() error {
	rd := d.someReader()
	if len(rd.cats) == 0 {
		return d.addCategory()
	}
	title := d.pick(feedTitles)
	name := fmt.Sprintf("f%d-%s", d.gen, strings.ToLower(strings.Fields(title)[0]))
	d.writeFeed(name, title, 3+d.r.Intn(8), d.r.Float64() < 0.4)
	d.files = append(d.files, name)
	req := &miniflux.FeedCreationRequest{FeedURL: d.feedsURL + "/" + name + ".xml", CategoryID: rd.cats[d.r.Intn(len(rd.cats))]}
	if d.r.Float64() < 0.3 {
		req.UserAgent = "Mozilla/5.0 (X11; Linux x86_64) FeedReader/1.0"
	}
	if d.r.Float64() < 0.2 {
		req.Cookie = "session=abc123; consent=yes"
	}
	if d.r.Float64() < 0.3 {
		req.BlocklistRules = "(?i)sponsored|advert"
	}
	if d.r.Float64() < 0.2 {
		req.KeeplistRules = "(?i)" + d.pick(words)
	}
	if d.r.Float64() < 0.2 {
		req.ScraperRules = "article"
		req.RewriteRules = "add_dynamic_image"
	}
	req.IgnoreHTTPCache = d.r.Float64() < 0.2
	id, err := rd.c.CreateFeed(req)
	if err != nil {
		return err
	}
	rd.feeds = append(rd.feeds, id)
	return nil
}

func (d *drive) feeds() error {
	rd := d.someReader()
	if len(rd.feeds) == 0 {
		return d.subscribe()
	}
	id := rd.feeds[d.r.Intn(len(rd.feeds))]
	switch d.r.Intn(9) {
	case 0:
		_, err := rd.c.Feeds()
		return err
	case 1:
		_, err := rd.c.Feed(id)
		return err
	case 2:
		t := d.pick(feedTitles) + " (mine)"
		ch := &miniflux.FeedModificationRequest{Title: &t}
		if len(rd.cats) > 0 && d.r.Float64() < 0.5 {
			c := rd.cats[d.r.Intn(len(rd.cats))]
			ch.CategoryID = &c
		}
		if d.r.Float64() < 0.3 {
			rules := "(?i)" + d.pick(words)
			ch.BlocklistRules = &rules
		}
		if d.r.Float64() < 0.2 {
			off := d.r.Float64() < 0.5
			ch.Disabled = &off
		}
		_, err := rd.c.UpdateFeed(id, ch)
		return err
	case 3:
		f, err := rd.c.Feed(id)
		if err == nil && d.r.Float64() < 0.7 { // the site published more
			name := strings.TrimSuffix(filepath.Base(f.FeedURL), ".xml")
			d.writeFeed(name, f.Title, 4+d.r.Intn(10), strings.HasPrefix(name, "a"))
		}
		if d.r.Float64() < 0.3 {
			return rd.c.ForceRefreshFeed(id)
		}
		return rd.c.RefreshFeed(id)
	case 4:
		return rd.c.MarkFeedAsRead(id)
	case 5:
		_, err := rd.c.FeedIcon(id)
		return err
	case 6:
		_, err := rd.c.FetchCounters()
		return err
	case 7:
		if d.r.Float64() < 0.3 {
			return rd.c.RefreshAllFeeds()
		}
		_, err := rd.c.CategoriesWithCounters()
		return err
	default:
		if d.r.Float64() < 0.5 {
			rd.feeds = remove(rd.feeds, id)
			return rd.c.DeleteFeed(id)
		}
		_, err := rd.c.FeedEntries(id, d.filter())
		return err
	}
}

func remove(xs []int64, x int64) []int64 {
	out := xs[:0]
	for _, v := range xs {
		if v != x {
			out = append(out, v)
		}
	}
	return out
}

func (d *drive) filter() *miniflux.Filter {
	f := &miniflux.Filter{}
	if d.r.Float64() < 0.5 {
		f.Status = []string{"unread", "read"}[d.r.Intn(2)]
	}
	if d.r.Float64() < 0.2 {
		f.Statuses = []string{"unread", "read"}
	}
	if d.r.Float64() < 0.6 {
		f.Limit = []int{10, 25, 50, 100}[d.r.Intn(4)]
		f.Offset = d.r.Intn(3) * f.Limit
	}
	if d.r.Float64() < 0.4 {
		f.Order = []string{"published_at", "id", "status", "category_title", "category_id"}[d.r.Intn(5)]
		f.Direction = []string{"asc", "desc"}[d.r.Intn(2)]
	}
	if d.r.Float64() < 0.2 {
		f.Starred = "true"
	}
	if d.r.Float64() < 0.2 {
		f.Search = d.pick(words)
	}
	if d.r.Float64() < 0.2 {
		f.PublishedAfter = time.Now().Add(-time.Duration(d.r.Intn(48)) * time.Hour).Unix()
	}
	if d.r.Float64() < 0.1 {
		f.ChangedBefore = time.Now().Add(time.Hour).Unix()
	}
	if d.r.Float64() < 0.1 {
		f.Tags = []string{d.pick(words)}
	}
	return f
}

func (d *drive) entryIDs(rd *reader, n int) []int64 {
	res, err := rd.c.Entries(&miniflux.Filter{Limit: 50})
	if err != nil || len(res.Entries) == 0 {
		return nil
	}
	ids := []int64{}
	for i := 0; i < n; i++ {
		ids = append(ids, res.Entries[d.r.Intn(len(res.Entries))].ID)
	}
	return ids
}

func (d *drive) entries() error {
	rd := d.someReader()
	switch d.r.Intn(12) {
	case 0, 1, 2:
		f := d.filter()
		if len(rd.cats) > 0 && d.r.Float64() < 0.3 {
			f.CategoryID = rd.cats[d.r.Intn(len(rd.cats))]
		}
		if len(rd.feeds) > 0 && d.r.Float64() < 0.2 {
			f.FeedID = rd.feeds[d.r.Intn(len(rd.feeds))]
		}
		_, err := rd.c.Entries(f)
		return err
	case 3:
		if len(rd.cats) == 0 {
			return nil
		}
		_, err := rd.c.CategoryEntries(rd.cats[d.r.Intn(len(rd.cats))], d.filter())
		return err
	}
	ids := d.entryIDs(rd, 1+d.r.Intn(4))
	if len(ids) == 0 {
		return nil
	}
	switch d.r.Intn(9) {
	case 0, 1:
		e, err := rd.c.Entry(ids[0])
		if err == nil && d.r.Float64() < 0.5 {
			_, err = rd.c.FeedEntry(e.FeedID, e.ID)
		}
		if err == nil && d.r.Float64() < 0.3 && e.Feed != nil && e.Feed.Category != nil {
			_, err = rd.c.CategoryEntry(e.Feed.Category.ID, e.ID)
		}
		if err == nil && len(e.Enclosures) > 0 {
			_, err = rd.c.Enclosure(e.Enclosures[0].ID)
			if err == nil {
				err = rd.c.UpdateEnclosure(e.Enclosures[0].ID, &miniflux.EnclosureUpdateRequest{MediaProgression: int64(d.r.Intn(3000))})
			}
		}
		return err
	case 2:
		return rd.c.UpdateEntries(ids, []string{"read", "unread", "read"}[d.r.Intn(3)])
	case 3:
		return rd.c.UpdateEntriesStarred(ids, d.r.Float64() < 0.7)
	case 4:
		return rd.c.ToggleStarred(ids[0])
	case 5:
		t := d.pick(words) + " (edited)"
		ch := &miniflux.EntryModificationRequest{Title: &t}
		if d.r.Float64() < 0.5 {
			c := "<p>my notes on " + d.pick(words) + "</p>"
			ch.Content = &c
		}
		_, err := rd.c.UpdateEntry(ids[0], ch)
		return err
	case 6:
		_, err := rd.c.FetchEntryOriginalContent(ids[0])
		return err
	case 7:
		st := d.r.Float64() < 0.5
		_, err := rd.c.EntryIDs(&miniflux.EntryIDsFilter{Limit: 20, Status: []string{"unread", "read"}[d.r.Intn(2)], Starred: &st})
		return err
	default:
		return rd.c.SaveEntry(ids[0]) // no integration is set up: the server says so
	}
}

func (d *drive) categories() error {
	rd := d.someReader()
	if len(rd.cats) == 0 {
		return d.addCategory()
	}
	id := rd.cats[d.r.Intn(len(rd.cats))]
	switch d.r.Intn(7) {
	case 0:
		_, err := rd.c.Categories()
		return err
	case 1:
		_, err := rd.c.CategoryFeeds(id)
		return err
	case 2:
		t := d.pick(catTitles) + fmt.Sprintf(" – %d", d.r.Intn(100))
		if d.r.Float64() < 0.5 {
			_, err := rd.c.UpdateCategory(id, t)
			return err
		}
		hide := d.r.Float64() < 0.5
		_, err := rd.c.UpdateCategoryWithOptions(id, &miniflux.CategoryModificationRequest{Title: &t, HideGlobally: &hide})
		return err
	case 3:
		return rd.c.MarkCategoryAsRead(id)
	case 4:
		return rd.c.RefreshCategory(id)
	case 5:
		if len(rd.cats) > 1 { // a user's last category stays: Miniflux keeps one
			rd.cats = remove(rd.cats, id)
			feeds, _ := rd.c.CategoryFeeds(id)
			for _, f := range feeds {
				rd.feeds = remove(rd.feeds, f.ID)
			}
			return rd.c.DeleteCategory(id)
		}
		return nil
	default:
		_, err := rd.c.CategoriesWithCounters()
		return err
	}
}

func (d *drive) account() error {
	rd := d.someReader()
	switch d.r.Intn(10) {
	case 0:
		_, err := rd.c.Me()
		return err
	case 1:
		_, err := d.admin.Users()
		return err
	case 2:
		_, err := d.admin.UserByID(rd.id)
		return err
	case 3:
		_, err := d.admin.UserByUsername(rd.name)
		return err
	case 4:
		ch := &miniflux.UserModificationRequest{}
		th, lang, tz := d.pick(themes), d.pick(languages), d.pick(zones)
		n := []int{25, 50, 100}[d.r.Intn(3)]
		ch.Theme, ch.Language, ch.Timezone = &th, &lang, &tz
		if d.r.Float64() < 0.5 {
			ch.EntriesPerPage = &n
		}
		_, err := rd.c.UpdateUser(rd.id, ch)
		return err
	case 5:
		key, err := rd.c.CreateAPIKey(fmt.Sprintf("%s script %d", d.pick([]string{"cron", "phone", "Reeder", "backup"}), d.r.Intn(1000)))
		if err == nil {
			_, err = miniflux.NewClient(d.url, key.Token).Me()
		}
		if err == nil && d.r.Float64() < 0.5 {
			err = rd.c.DeleteAPIKey(key.ID)
		}
		return err
	case 6:
		_, err := rd.c.APIKeys()
		return err
	case 7:
		if d.r.Float64() < 0.5 {
			_, err := rd.c.Export()
			return err
		}
		opml := fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?><opml version="2.0"><head><title>import</title></head><body>`+
			`<outline text="%s"><outline type="rss" text="%s" xmlUrl="%s/%s.xml"/></outline></body></opml>`,
			d.pick(catTitles), d.pick(feedTitles), d.feedsURL, d.pickFile())
		return rd.c.Import(io.NopCloser(bytes.NewBufferString(opml)))
	case 8:
		if d.r.Float64() < 0.5 {
			_, err := rd.c.Discover(d.feedsURL + "/" + d.pickFile() + ".html")
			return err
		}
		_, err := rd.c.IntegrationsStatus()
		return err
	default:
		switch d.r.Intn(4) {
		case 0:
			_, err := rd.c.Version()
			return err
		case 1:
			return rd.c.FlushHistory()
		case 2:
			return rd.c.MarkAllAsRead(rd.id)
		default:
			return rd.c.Healthcheck()
		}
	}
}

func (d *drive) pickFile() string {
	if len(d.files) == 0 {
		return "missing"
	}
	return d.files[d.r.Intn(len(d.files))]
}

func (d *drive) people() error {
	if d.r.Float64() < 0.6 || len(d.readers) < 3 {
		return d.addUser()
	}
	i := 1 + d.r.Intn(len(d.readers)-1)
	rd := d.readers[i]
	d.readers = append(d.readers[:i], d.readers[i+1:]...)
	return d.admin.DeleteUser(rd.id)
}

func (d *drive) mistakes() error {
	rd := d.someReader()
	switch d.r.Intn(8) {
	case 0:
		_, err := rd.c.Feed(999000 + int64(d.r.Intn(999)))
		return err
	case 1:
		if len(rd.feeds) == 0 || len(rd.cats) == 0 {
			return nil
		}
		f, err := rd.c.Feed(rd.feeds[0])
		if err != nil {
			return err
		}
		_, err = rd.c.CreateFeed(&miniflux.FeedCreationRequest{FeedURL: f.FeedURL, CategoryID: rd.cats[0]})
		return err
	case 2:
		if len(rd.cats) == 0 {
			return nil
		}
		cats, err := rd.c.Categories()
		if err != nil || len(cats) == 0 {
			return err
		}
		_, err = rd.c.CreateCategory(cats[0].Title)
		return err
	case 3:
		if len(rd.cats) == 0 {
			return nil
		}
		_, err := rd.c.CreateFeed(&miniflux.FeedCreationRequest{FeedURL: d.feedsURL + "/" + d.pickFile() + "-0.html", CategoryID: rd.cats[0]})
		return err
	case 4:
		_, err := miniflux.NewClient(d.url, rd.name, "wrong password").Me()
		return err
	case 5:
		_, err := rd.c.Users() // most readers are no admins
		return err
	case 6:
		_, err := rd.c.Entry(888000 + int64(d.r.Intn(999)))
		return err
	default:
		return rd.c.DeleteCategory(777000 + int64(d.r.Intn(999)))
	}
}

func report(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
}

func main() {
	seed := flag.Int64("seed", 0, "")
	rounds := flag.Int("rounds", 1000, "")
	maxSeconds := flag.Float64("max-seconds", 0, "")
	args := []string{}
	rest := os.Args[1:]
	for len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		args, rest = append(args, rest[0]), rest[1:]
	}
	flag.CommandLine.Parse(rest)
	if len(args) != 5 || *seed == 0 {
		fmt.Fprintln(os.Stderr, "usage: miniflux_drive SERVER_URL ADMIN PASSWORD FEEDS_URL FEEDS_DIR --seed N [--rounds R] [--max-seconds S]")
		os.Exit(2)
	}
	d := &drive{url: args[0], feedsURL: strings.TrimRight(args[3], "/"), feedsDir: args[4], r: rand.New(rand.NewSource(*seed))}
	d.admin = miniflux.NewClient(d.url, args[1], args[2])
	me, err := d.admin.Me()
	if err != nil {
		panic(err)
	}
	d.readers = append(d.readers, &reader{name: args[1], c: d.admin, id: me.ID})
	for i := 0; i < 3; i++ {
		report(d.addUser())
	}
	for i := 0; i < 6; i++ {
		report(d.addCategory())
	}
	for i := 0; i < 8; i++ {
		report(d.subscribe())
	}
	steps := []struct {
		fn func() error
		w  float64
	}{{d.subscribe, 6}, {d.addCategory, 3}, {d.feeds, 14}, {d.entries, 24}, {d.categories, 8}, {d.account, 10},
		{d.people, 2}, {d.mistakes, 4}}
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
				err := s.fn()
				if err != nil && !errors.Is(err, miniflux.ErrNotFound) {
					report(err)
				}
				break
			}
		}
	}
}
