package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// versionDoc is the help of `version`.
var versionDoc = cmdDoc{
	name:     "version",
	synopsis: "rtcprobe version   (or rtcprobe --version)",
	summary:  "Print the version, commit, build date, Go version and platform.",
	examples: []string{"# What to quote in a bug report", "rtcprobe --version"},
}

// runVersion prints version, commit and build date (set by release/build.sh
// with -ldflags -X), the Go version and the platform. A build without
// ldflags (go build, go install) falls back to the VCS stamp Go records.
func runVersion(args []string, stdout, stderr io.Writer) int {
	rest, err := parseTable(&versionDoc, nil, args, false, stdout)
	if err != nil {
		return usageError(stderr, err)
	}
	if len(rest) > 0 {
		fmt.Fprintf(stderr, "rtcprobe version: unexpected argument %q\n", rest[0])
		return ExitUsage
	}
	c, d := buildStamp()
	fmt.Fprintf(stdout, "rtcprobe %s\ncommit:   %s\nbuilt:    %s\ngo:       %s\nplatform: %s/%s\n",
		version, orUnknown(c), orUnknown(d), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return ExitOK
}

// buildStamp returns the commit and date from ldflags, else from the VCS
// information the go command embeds.
func buildStamp() (commitID, when string) {
	commitID, when = commit, date
	if commitID != "" {
		return commitID, when
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "", when
	}
	dirty := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			commitID = s.Value
		case "vcs.time":
			if when == "" {
				when = s.Value
			}
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if dirty && commitID != "" {
		commitID += "-dirty"
	}
	return commitID, when
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
