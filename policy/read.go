package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/user"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"howett.net/plist"
)

// maxFileSize bounds every policy file read: real ones are a few KiB.
const maxFileSize = 1 << 20

// maxDirFiles bounds the *.json files read from one policy directory.
const maxDirFiles = 64

// EnvRoot names the environment variable that points the readers at
// another filesystem root (the lab's policy tree); see Sources.Root.
const EnvRoot = "RTCPROBE_POLICY_ROOT"

// Sources says where to read. The zero value reads the real locations of
// the running OS.
type Sources struct {
	// Root is prefixed to every file path ("" = the real filesystem). The
	// lab and the tests point it at a directory holding etc/chromium/...
	Root string
	// OS picks the readers: "linux", "darwin" or "windows"; "" = runtime.GOOS.
	OS string
	// User is the login name whose macOS managed preferences folder is
	// read; "" = the current user.
	User string
	// Registry reads Windows policy keys; nil = the real registry on
	// Windows (registry_windows.go), none elsewhere.
	Registry Registry
	// FirefoxDirs are Firefox install folders, each read for
	// distribution/policies.json; nil = the OS's usual ones.
	FirefoxDirs []string
}

// Registry reads one policy key. Values come back as string (REG_SZ,
// REG_EXPAND_SZ), uint64 (REG_DWORD, REG_QWORD) or []string (REG_MULTI_SZ);
// subkeys as nested maps (list policies, Firefox's Proxy and Preferences).
type Registry interface {
	// Read returns the key's values and subkeys; ok is false when the key
	// does not exist.
	Read(hive, path string) (values map[string]any, ok bool, err error)
}

// chromiumDirs are the Linux managed-policy directories (Chromium's
// ConfigDirPolicyLoader: every *.json file of the directory).
var chromiumDirs = map[string][]string{
	Chrome:   {"/etc/opt/chrome/policies/managed"},
	Edge:     {"/etc/opt/edge/policies/managed"},
	Chromium: {"/etc/chromium/policies/managed", "/etc/chromium-browser/policies/managed"},
}

// macDomains are the managed preference domains on macOS.
var macDomains = map[string]string{
	Chrome: "com.google.Chrome", Edge: "com.microsoft.Edge", Chromium: "org.chromium.Chromium", Firefox: "org.mozilla.firefox",
}

// registryKeys are the policy keys under HKLM and HKCU.
var registryKeys = map[string]string{
	Chrome: `SOFTWARE\Policies\Google\Chrome`, Edge: `SOFTWARE\Policies\Microsoft\Edge`,
	Chromium: `SOFTWARE\Policies\Chromium`, Firefox: `SOFTWARE\Policies\Mozilla\Firefox`,
}

// macManaged is the managed preferences folder.
const macManaged = "/Library/Managed Preferences"

// Read reads every browser's policies from src. It never fails as a whole:
// what cannot be read is a Problem and the rest is still used.
func Read(src Sources) *Set {
	goos := src.OS
	if goos == "" {
		goos = runtime.GOOS
	}
	set := &Set{}
	for _, name := range Names {
		b := Browser{Name: name}
		switch goos {
		case "windows":
			src.readFirefoxFiles(&b, goos, &set.Problems)
			src.readRegistry(&b, &set.Problems)
		case "darwin":
			src.readFirefoxFiles(&b, goos, &set.Problems)
			src.readPlists(&b, &set.Problems)
		default:
			src.readLinux(&b, &set.Problems)
		}
		if b.Managed() {
			set.Browsers = append(set.Browsers, b)
		}
	}
	return set
}

// readLinux reads the JSON policy directories (Chromium family) or files
// (Firefox). Chromium gives the last file in alphabetical order priority
// when two set the same policy; applying in order does the same.
func (s Sources) readLinux(b *Browser, probs *[]Problem) {
	if b.Name == Firefox {
		s.readFirefoxFiles(b, "linux", probs)
		return
	}
	for _, dir := range chromiumDirs[b.Name] {
		for _, f := range s.jsonFiles(dir, probs) {
			m, err := s.readJSON(f)
			if err != nil {
				*probs = append(*probs, Problem{f, err.Error()})
				continue
			}
			applyChromium(b, f, m, probs)
		}
	}
}

// readFirefoxFiles reads the install's distribution/policies.json, then
// (Linux) /etc/firefox/policies/policies.json, which wins where both set a
// policy.
func (s Sources) readFirefoxFiles(b *Browser, goos string, probs *[]Problem) {
	if b.Name != Firefox {
		return
	}
	files := []string{}
	for _, d := range s.firefoxDirs(goos) {
		files = append(files, joinFor(goos, d, "distribution", "policies.json"))
	}
	if goos == "linux" {
		files = append(files, "/etc/firefox/policies/policies.json")
	}
	for _, f := range files {
		m, err := s.readJSON(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			*probs = append(*probs, Problem{f, err.Error()})
			continue
		}
		pol, err := asMap(m["policies"])
		if err != nil {
			*probs = append(*probs, Problem{f, "no \"policies\" object"})
			continue
		}
		applyFirefox(b, f, pol, probs)
	}
}

func (s Sources) firefoxDirs(goos string) []string {
	if s.FirefoxDirs != nil {
		return s.FirefoxDirs
	}
	switch goos {
	case "windows":
		var out []string
		for _, env := range []string{"ProgramFiles", "ProgramFiles(x86)"} {
			if d := os.Getenv(env); d != "" {
				out = append(out, filepath.Join(d, "Mozilla Firefox"))
			}
		}
		return out
	case "darwin":
		return []string{"/Applications/Firefox.app/Contents/Resources"}
	}
	return []string{"/usr/lib/firefox", "/usr/lib/firefox-esr", "/usr/lib64/firefox", "/opt/firefox"}
}

// readPlists reads the machine's managed preferences, then the user's
// (CFPreferences gives the user's managed domain priority).
func (s Sources) readPlists(b *Browser, probs *[]Problem) {
	u := s.User
	if u == "" {
		if cu, err := user.Current(); err == nil {
			u = cu.Username
		}
	}
	files := []string{path.Join(macManaged, macDomains[b.Name]+".plist")}
	if u != "" && !strings.ContainsAny(u, `/\`) && u != ".." {
		files = append(files, path.Join(macManaged, u, macDomains[b.Name]+".plist"))
	}
	for _, f := range files {
		m, err := s.readPlist(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			*probs = append(*probs, Problem{f, err.Error()})
			continue
		}
		if b.Name == Firefox {
			applyFirefox(b, f, m, probs)
		} else {
			applyChromium(b, f, m, probs)
		}
	}
}

// readRegistry reads HKCU, then HKLM: machine policies win over the
// user's in Chrome, Edge and Firefox alike.
func (s Sources) readRegistry(b *Browser, probs *[]Problem) {
	reg := s.Registry
	if reg == nil {
		reg = systemRegistry()
	}
	if reg == nil {
		return
	}
	for _, hive := range []string{"HKCU", "HKLM"} {
		key := registryKeys[b.Name]
		vals, ok, err := reg.Read(hive, key)
		src := hive + `\` + key
		if err != nil {
			*probs = append(*probs, Problem{src, err.Error()})
			continue
		}
		if !ok {
			continue
		}
		if b.Name == Firefox {
			applyFirefox(b, src, vals, probs)
		} else {
			applyChromium(b, src, vals, probs)
		}
	}
}

// joinFor joins a path the way the target OS writes it: the names in
// sources and problems are the ones an admin would look for there, even
// when the tests read another OS's fixtures.
func joinFor(goos string, elem ...string) string {
	if goos == "windows" {
		return filepath.Join(elem...)
	}
	return path.Join(elem...)
}

// path maps a file path to the filesystem under Root.
func (s Sources) path(p string) string {
	if s.Root == "" {
		return p
	}
	return filepath.Join(s.Root, filepath.FromSlash(p))
}

// jsonFiles lists dir's *.json files in alphabetical order (at most
// maxDirFiles; the rest is a Problem).
func (s Sources) jsonFiles(dir string, probs *[]Problem) []string {
	ents, err := os.ReadDir(s.path(dir))
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			*probs = append(*probs, Problem{dir, "cannot list: " + errText(err)})
		}
		return nil
	}
	var out []string
	for _, e := range ents {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".json") {
			out = append(out, dir+"/"+e.Name())
		}
	}
	sort.Strings(out)
	if len(out) > maxDirFiles {
		*probs = append(*probs, Problem{dir, fmt.Sprintf("%d policy files, only the first %d read", len(out), maxDirFiles)})
		out = out[:maxDirFiles]
	}
	return out
}

// readFile reads at most maxFileSize bytes; a larger file is an error.
func (s Sources) readFile(p string) ([]byte, error) {
	f, err := os.Open(s.path(p))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read: %s", errText(err))
	}
	if len(b) > maxFileSize {
		return nil, fmt.Errorf("larger than %d bytes, not read", maxFileSize)
	}
	return b, nil
}

func (s Sources) readJSON(p string) (map[string]any, error) {
	b, err := s.readFile(p)
	if err != nil {
		return nil, err
	}
	return parseJSON(b)
}

// parseJSON decodes a policy file: one JSON object.
func parseJSON(b []byte) (map[string]any, error) {
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(b))
	if err := d.Decode(&m); err != nil {
		return nil, fmt.Errorf("not a JSON object: %s", clip(err.Error()))
	}
	if m == nil {
		return nil, errors.New("not a JSON object")
	}
	return m, nil
}

func (s Sources) readPlist(p string) (map[string]any, error) {
	b, err := s.readFile(p)
	if err != nil {
		return nil, err
	}
	return parsePlist(b)
}

// parsePlist decodes a managed preferences plist (XML or binary) into a
// dictionary. The decoder is guarded: a hostile file must not crash the
// run that reads it.
func parsePlist(b []byte) (m map[string]any, err error) {
	defer func() {
		if recover() != nil {
			m, err = nil, errors.New("not a property list")
		}
	}()
	if _, err := plist.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("not a property list dictionary: %s", clip(err.Error()))
	}
	if m == nil {
		return nil, errors.New("not a property list dictionary")
	}
	return m, nil
}

// errText is an error's text without the path (the Problem names it).
func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
