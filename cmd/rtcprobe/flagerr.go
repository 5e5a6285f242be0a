package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// parseFlags parses args with fs and turns the flag package's output (the
// error followed by the whole flag list) into one line naming the flag and
// pointing at -h. -h itself still prints the flag list.
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) error {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.SetOutput(stderr)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		fs.Usage()
		return err
	}
	return fmt.Errorf("%s: %v (see 'rtcprobe %s -h')", fs.Name(), err, fs.Name())
}
