package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/rtcprobe/rtcprobe/probe"
	"github.com/rtcprobe/rtcprobe/report"
)

// dryRunSchema names the JSON form of --dry-run --json.
const dryRunSchema = "rtcprobe/dryrun/v1"

// burstWindow is the window of the pacing figure printed with the plan: an
// intrusion-prevention system flags many datagrams to one host in a few ms.
const burstWindow = 10 * time.Millisecond

// dryRunOutput is --dry-run --json: the planned sends and their totals.
type dryRunOutput struct {
	Schema   string              `json:"schema"`
	BudgetMs int64               `json:"budgetMs"`
	Sends    []probe.PlannedSend `json:"sends"`
	Totals   dryRunTotals        `json:"totals"`
	// pacing is the gap between the starts of two UDP probes (the plan's
	// Timers.UDPPacing), for the table's pacing line.
	pacing time.Duration
}

type dryRunTotals struct {
	TCPConnections int `json:"tcpConnections"`
	UDPDatagrams   int `json:"udpDatagrams"`
	// MaxBurst is the most UDP datagrams to one host in any 10 ms window.
	MaxBurst     int    `json:"maxBurst10ms"`
	MaxBurstHost string `json:"maxBurstHost,omitempty"`
}

// dryRun lists every connection and datagram the run would send, and sends
// nothing: it never calls probe.Run. jsonOut is --json ("" for the table).
func dryRun(stdout, stderr io.Writer, plan *probe.Plan, jsonOut string) int {
	sends := plan.Describe()
	out := dryRunOutput{Schema: dryRunSchema, BudgetMs: plan.Budget.Milliseconds(), Sends: sends, pacing: plan.Timing().UDPPacing}
	for _, s := range sends {
		if s.Protocol == "tcp" {
			out.Totals.TCPConnections += s.Count
		} else {
			out.Totals.UDPDatagrams += s.Count
		}
	}
	out.Totals.MaxBurstHost, out.Totals.MaxBurst = probe.MaxBurst(sends, burstWindow)
	if jsonOut != "" {
		if err := writeDryRunJSON(jsonOut, out, stdout); err != nil {
			fmt.Fprintf(stderr, "rtcprobe: --json %s: %s\n", report.Safe(jsonOut), report.Safe(err.Error()))
			return ExitUsage
		}
		if jsonOut == "-" {
			return ExitOK
		}
	}
	writeDryRunTable(stdout, out)
	return ExitOK
}

func writeDryRunJSON(path string, out dryRunOutput, stdout io.Writer) error {
	write := func(w io.Writer) error {
		b, err := json.MarshalIndent(out, "", "  ")
		if err != nil {
			return err
		}
		// Destinations come from flags and the proxy file: escape what a
		// terminal would act on, as the report's JSON does.
		_, err = w.Write(append(report.EscapeJSON(b), '\n'))
		return err
	}
	if path == "-" {
		return write(stdout)
	}
	return writeFileSafely(path, write)
}

func writeDryRunTable(w io.Writer, out dryRunOutput) {
	fmt.Fprintf(w, "Dry run: nothing was sent. Within its %s budget a run would send at most:\n\n",
		time.Duration(out.BudgetMs)*time.Millisecond)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PROBE\tPROTO\tDESTINATION\tPORT\tSIZE\tCOUNT\tWHAT")
	for _, s := range out.Sends {
		size := "-"
		if s.Size > 0 {
			size = strconv.Itoa(s.Size)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%d\t%s\n", report.Safe(s.Probe), s.Protocol, report.Safe(s.Destination), s.Port, size, s.Count, report.Safe(s.Note))
	}
	tw.Flush()
	t := out.Totals
	fmt.Fprintf(w, "\nTotal: at most %d TCP connections and %d UDP datagrams.\n", t.TCPConnections, t.UDPDatagrams)
	if t.MaxBurst > 0 {
		unit := "datagrams"
		if t.MaxBurst == 1 {
			unit = "datagram"
		}
		fmt.Fprintf(w, "Pacing: at most %d UDP %s to one host (%s) in any %s; UDP probes start %s apart.\n",
			t.MaxBurst, unit, report.Safe(t.MaxBurstHost), burstWindow, out.pacing)
	}
	fmt.Fprintln(w, "SIZE is the payload of one datagram, or of the client's first flight on TCP; COUNT is an upper bound.")
}
