package main

import (
	"io"
	"testing"
	"time"
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
		fs := newCheckFlagSet("check", f, io.Discard)
		err := fs.Parse(tc.args)
		if (err != nil) != tc.wantErr || (err == nil && f.quality.flow != tc.want) {
			t.Errorf("%v: flow %s, err %v; want %s, error %v", tc.args, f.quality.flow, err, tc.want, tc.wantErr)
		}
	}
}
