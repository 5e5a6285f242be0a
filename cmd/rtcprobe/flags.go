package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/rtcprobe/rtcprobe/probe"
)

// flagSpec is one row of a command's flag table: how the flag is bound,
// what its help says, and how its value is checked once parsed. A new flag
// is one more row (see checkFlagTable).
type flagSpec struct {
	name  string // without dashes
	value string // the value's name in help ("FILE"); "" for a switch
	usage string
	def   string // the default as help shows it; "" for none
	bind  func(fs *flag.FlagSet)
	// text returns the values given to a string flag, which must not look
	// like a flag; nil for other kinds.
	text func() []string
	// check validates the parsed value (nil: nothing to check). Its error
	// names the flag and never quotes a credential.
	check func() error
}

// withCheck returns s with check as its validation.
func (s flagSpec) withCheck(check func() error) flagSpec {
	s.check = check
	return s
}

func stringFlag(p *string, name, value, def, usage string) flagSpec {
	return flagSpec{name: name, value: value, usage: usage, def: def,
		bind: func(fs *flag.FlagSet) { fs.StringVar(p, name, def, usage) },
		text: func() []string { return []string{*p} }}
}

func listFlag(p *multiFlag, name, value, usage string) flagSpec {
	return flagSpec{name: name, value: value, usage: usage,
		bind: func(fs *flag.FlagSet) { fs.Var(p, name, usage) },
		text: func() []string { return *p }}
}

// optionalValueFlag is a switch that may also take =VALUE (a flag.Value
// with IsBoolFlag, like --quality[=DURATION]).
func optionalValueFlag(v flag.Value, name, value, usage string) flagSpec {
	return flagSpec{name: name, value: "[=" + value + "]", usage: usage,
		bind: func(fs *flag.FlagSet) { fs.Var(v, name, usage) }}
}

func boolFlag(p *bool, name, usage string) flagSpec {
	return flagSpec{name: name, usage: usage, bind: func(fs *flag.FlagSet) { fs.BoolVar(p, name, false, usage) }}
}

func durationFlag(p *time.Duration, name string, def time.Duration, usage string) flagSpec {
	return flagSpec{name: name, value: "DURATION", usage: usage, def: def.String(),
		bind: func(fs *flag.FlagSet) { fs.DurationVar(p, name, def, usage) }}
}

func intFlag(p *int, name, value string, def int, usage string) flagSpec {
	return flagSpec{name: name, value: value, usage: usage, def: strconv.Itoa(def),
		bind: func(fs *flag.FlagSet) { fs.IntVar(p, name, def, usage) }}
}

func int64Flag(p *int64, name, value string, usage string) flagSpec {
	return flagSpec{name: name, value: value, usage: usage,
		bind: func(fs *flag.FlagSet) { fs.Int64Var(p, name, 0, usage) }}
}

func floatFlag(p *float64, name, value string, def float64, usage string) flagSpec {
	return flagSpec{name: name, value: value, usage: usage, def: strconv.FormatFloat(def, 'g', -1, 64),
		bind: func(fs *flag.FlagSet) { fs.Float64Var(p, name, def, usage) }}
}

// errHelp is returned after help was printed on stdout: exit 0.
var errHelp = flag.ErrHelp

// parseTable parses args against specs. -h/--help prints doc's help on
// stdout and returns errHelp. With interleaved, flags may come before,
// between or after the positional arguments ("diff OLD NEW --json"),
// which are returned. Then every string value is checked not to look like
// a flag (`--json --dry-run` must not take "--dry-run" as the file), and
// every row's check runs, in table order.
func parseTable(doc *cmdDoc, specs []flagSpec, args []string, interleaved bool, stdout io.Writer) ([]string, error) {
	fs := flag.NewFlagSet(doc.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	for _, s := range specs {
		s.bind(fs)
	}
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				writeHelp(stdout, doc, specs)
				return nil, errHelp
			}
			return nil, fmt.Errorf("%s: %s (see '%s --help')", doc.name, ownMessage(doubleDash(err.Error())), doc.command())
		}
		args = fs.Args()
		if !interleaved || len(args) == 0 {
			rest = append(rest, args...)
			break
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, s := range specs {
		if s.text == nil {
			continue
		}
		// An empty file name ("--json=", or --json "$UNSET") would be
		// taken for no file at all: a report the user asked for, silently
		// not written.
		if set[s.name] && s.value == "FILE" && len(s.text()) == 1 && s.text()[0] == "" {
			return nil, fmt.Errorf("--%s needs a value (FILE), not an empty name (see '%s --help')", s.name, doc.command())
		}
		for _, v := range s.text() {
			if strings.HasPrefix(v, "-") && v != "-" {
				return nil, fmt.Errorf("--%s needs a value (%s), not %q, which looks like a flag (see '%s --help')",
					s.name, s.value, probe.RedactURL(v), doc.command())
			}
		}
	}
	for _, s := range specs {
		if s.check != nil {
			if err := s.check(); err != nil {
				return nil, err
			}
		}
	}
	return rest, nil
}

// ownMessage keeps only our own message from the flag package's wrapping
// of a Set error of a flag that also works as a switch (--quality[=D]):
// "invalid boolean value "1s" for --quality: --quality="1s": want a
// duration..." called a duration a boolean.
func ownMessage(s string) string {
	if i := strings.Index(s, ": --"); strings.HasPrefix(s, "invalid boolean value ") && i >= 0 {
		return s[i+2:]
	}
	return s
}

// flagRef matches a flag as the flag package names it in errors ("-json").
var flagRef = regexp.MustCompile(`(: |for flag |for |syntax: )-([A-Za-z])`)

// doubleDash rewrites the flag package's "-name" as "--name", the form the
// help and the README use.
func doubleDash(s string) string { return flagRef.ReplaceAllString(s, "$1--$2") }
