package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/rtcprobe/rtcprobe/report"
	"github.com/rtcprobe/rtcprobe/result"
)

// checkJSONDest checks --json FILE before anything is sent: a run can take
// the whole budget, and its report must not be lost to a typo. The file
// must not be a directory or read-only, and its directory must take a new
// file (the report is written beside it and renamed over it).
func checkJSONDest(path string) error {
	if path == "" || path == "-" {
		return nil
	}
	if err := destWritable(path); err != nil {
		return fmt.Errorf("--json %s: %v", path, err)
	}
	return nil
}

// destWritable says why path cannot take a report, or nil.
func destWritable(path string) error {
	target := resolveLink(path)
	fi, err := os.Stat(target)
	switch {
	case err == nil && fi.IsDir():
		return fmt.Errorf("is a directory; give a file name, e.g. --json %s", filepath.Join(path, "report.json"))
	case err == nil && !fi.Mode().IsRegular():
		return nil // a device or pipe (/dev/stdout) is written in place
	case err == nil:
		// A read-only file is the user's "do not overwrite", even for
		// root, who could write it anyway.
		if fi.Mode().Perm()&0o200 == 0 {
			return errors.New("the file is read-only; it is not replaced (give another file name)")
		}
		f, err := os.OpenFile(target, os.O_WRONLY, 0)
		if err != nil {
			return fmt.Errorf("cannot write the file: %v", errors.Unwrap(err))
		}
		f.Close()
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(target), ".rtcprobe-*.json")
	if err != nil {
		return fmt.Errorf("cannot create a file in %s: %v", filepath.Dir(target), unwrapPath(err))
	}
	tmp.Close()
	os.Remove(tmp.Name())
	return nil
}

// resolveLink follows a symbolic link, so the report replaces the file it
// points at rather than the link.
func resolveLink(path string) string {
	if t, err := filepath.EvalSymlinks(path); err == nil {
		return t
	}
	return path
}

// unwrapPath drops the path an *fs.PathError repeats (the caller names it).
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// writeFileSafely writes path through write: a temporary file in the same
// directory, renamed over path only if path is absent or writable, so an
// interrupted write never leaves half a file and a read-only file is never
// replaced. A device or pipe is written in place.
func writeFileSafely(path string, write func(io.Writer) error) error {
	if err := destWritable(path); err != nil {
		return err
	}
	target := resolveLink(path)
	fi, statErr := os.Stat(target)
	if statErr == nil && !fi.Mode().IsRegular() {
		f, err := os.OpenFile(target, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		defer f.Close()
		return write(f)
	}
	tmp, err := os.CreateTemp(filepath.Dir(target), ".rtcprobe-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if statErr == nil {
		// The replaced file keeps its permissions.
		_ = tmp.Chmod(fi.Mode().Perm())
	}
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), target)
}

// writeJSONFile writes the report to path ("-" for stdout) safely.
func writeJSONFile(path string, r *result.Report, stdout io.Writer) error {
	if path == "-" {
		return report.WriteJSON(stdout, r)
	}
	return writeFileSafely(path, func(w io.Writer) error { return report.WriteJSON(w, r) })
}

// saveJSON writes the report for --json and reports whether it went
// there. If not, it says why on stderr and saves the report under a name
// that says it was not saved as asked (saveUnsaved).
func saveJSON(path string, r *result.Report, stdout, stderr io.Writer) bool {
	err := writeJSONFile(path, r, stdout)
	if err == nil {
		return true
	}
	if saved, serr := saveUnsaved(r, time.Now()); serr == nil {
		fmt.Fprintf(stderr, "rtcprobe: --json %s: %s; the JSON report was saved to %s instead\n", report.Safe(path), report.Safe(err.Error()), report.Safe(saved))
	} else {
		fmt.Fprintf(stderr, "rtcprobe: --json %s: %s; saving it elsewhere failed too: %s\n", report.Safe(path), report.Safe(err.Error()), report.Safe(serr.Error()))
	}
	return false
}

// saveUnsaved writes a report that could not go where --json said to a
// file named so, in the current directory or else the temporary
// directory, and returns its path: a finished diagnosis is never lost.
func saveUnsaved(r *result.Report, now time.Time) (string, error) {
	name := "rtcprobe-unsaved-" + now.UTC().Format("20060102T150405Z") + ".json"
	var firstErr error
	for _, dir := range []string{".", os.TempDir()} {
		f, err := os.CreateTemp(dir, name[:len(name)-len(".json")]+"-*.json")
		if err != nil {
			firstErr = cmpErr(firstErr, err)
			continue
		}
		err = report.WriteJSON(f, r)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(f.Name())
			firstErr = cmpErr(firstErr, err)
			continue
		}
		if abs, err := filepath.Abs(f.Name()); err == nil {
			return abs, nil
		}
		return f.Name(), nil
	}
	return "", firstErr
}

func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}
