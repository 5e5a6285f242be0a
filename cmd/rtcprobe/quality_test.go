package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rtcprobe/rtcprobe/reflector"
	"github.com/rtcprobe/rtcprobe/report/schematest"
	"github.com/rtcprobe/rtcprobe/result"
)

func TestQualityFlag(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		want    time.Duration
		wantErr bool
	}{
		{nil, 0, false},
		{[]string{"--quality"}, 15 * time.Second, false},
		{[]string{"--quality=30s"}, 30 * time.Second, false},
		{[]string{"--quality=2m"}, 2 * time.Minute, false},
		{[]string{"--quality=false"}, 0, false},
		{[]string{"--quality=5s"}, 0, true},
		{[]string{"--quality=10m"}, 0, true},
		{[]string{"--quality=soon"}, 0, true},
	} {
		f := &checkFlags{}
		_, err := parseTable(&checkDoc, checkFlagTable(f), tc.args, false, io.Discard)
		if (err != nil) != tc.wantErr || (err == nil && f.quality.flow != tc.want) {
			t.Errorf("%v: flow %s, err %v; want %s, error %v", tc.args, f.quality.flow, err, tc.want, tc.wantErr)
		}
	}
}

// TestCheckQuality runs check --quality against rtcprobe serve on
// loopback: the report gains a measured quality section that validates,
// and the text a call quality line; without the flag neither appears.
func TestCheckQuality(t *testing.T) {
	srv, err := reflector.New(reflector.Config{Listen: "127.0.0.1", UDPPorts: []int{0}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	defer func() { cancel(); <-done }()
	<-srv.Ready()
	port := strconv.Itoa(srv.UDPAddrs()[0].(*net.UDPAddr).Port)
	base := []string{"check", "--reflector", "127.0.0.1", "--media-ports", port, "--http-proxy", "none", "--timeout", "3s"}
	for _, quality := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "r.json")
		args := append(append([]string(nil), base...), "--json", path)
		if quality {
			args = append(args, "--quality=10s")
		}
		_, _, stderr := run(t, args...)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("quality=%v: no report: %v (%s)", quality, err, stderr)
		}
		schematest.Validate(t, b)
		var r result.Report
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatal(err)
		}
		if !quality {
			if r.Quality != nil || strings.Contains(string(b), `"quality"`) || strings.Contains(stderr, "quality") {
				t.Errorf("a plain check has a quality section or says so: %s", stderr)
			}
			continue
		}
		if r.Quality == nil || len(r.Quality.Paths) != 1 || r.Quality.Paths[0].Status != result.QualityOK || r.Quality.Paths[0].Up.Received == 0 {
			t.Fatalf("quality section: %+v", r.Quality)
		}
		if !strings.Contains(stderr, "rtcprobe: quality: direct-udp") {
			t.Errorf("no progress line: %q", stderr)
		}
	}
}
