package report

import (
	"fmt"
	"strings"

	"github.com/rtcprobe/rtcprobe/result"
)

// A finding about one name often has the same cause for every name: a
// resolver offline or filtering answers NXDOMAIN for all eleven TRTC names,
// an inspecting proxy breaks every certificate. Eleven near-identical
// findings bury the one sentence that matters, so such findings are grouped:
// one finding per cause, keeping the code (a contract), every name in the
// detail and every probe in the evidence.

// group is one finding that may stand for several subjects (host names).
type group struct {
	at       int      // index of the finding in findingSet.list
	subjects []string // in order of first appearance
	// many writes the title and detail for two or more subjects.
	many func(subjects []string) (title, detail string)
}

// addAbout adds f about subject. Findings with the same key (code plus
// whatever must match for the cause to be the same, such as the DNS
// failure) become one: evidence merged, subjects listed, and, from the
// second subject on, the title and detail many gives.
func (fs *findingSet) addAbout(key, subject string, f result.Finding, many func([]string) (string, string)) {
	if fs.groups == nil {
		fs.groups = map[string]*group{}
	}
	g := fs.groups[key]
	if g == nil {
		if f.Evidence == nil {
			f.Evidence = []result.ID{}
		}
		fs.list = append(fs.list, f)
		fs.groups[key] = &group{at: len(fs.list) - 1, subjects: []string{subject}, many: many}
		return
	}
	dst := &fs.list[g.at]
	dst.Evidence = uniq(dst.Evidence, f.Evidence...)
	g.subjects = uniq(g.subjects, subject)
	if len(g.subjects) > 1 {
		dst.Title, dst.Detail = g.many(g.subjects)
	}
}

// namesTitle is "<n> names <verb>: a, b and <n-2> more", short enough for a
// title; the detail lists them all.
func namesTitle(prefix string, names []string, suffix string) string {
	shown := names
	more := ""
	if len(names) > 2 {
		shown, more = names[:2], fmt.Sprintf(" and %d more", len(names)-2)
	}
	return fmt.Sprintf("%s%d names%s: %s%s", prefix, len(names), suffix, strings.Join(shown, ", "), more)
}

// namesList ends a detail with every name.
func namesList(names []string) string {
	return " Names: " + strings.Join(names, ", ") + "."
}
