package main

import (
	"errors"
	"io"

	"github.com/rtcprobe/rtcprobe/report"
)

// readReport is report.Read once report/read.go lands. TEMPORARY: keeps the
// shared tree compiling meanwhile; removed when Read exists.
func readReport(io.Reader) (*report.Report, error) {
	return nil, errors.New("reading reports is not available in this build yet")
}
