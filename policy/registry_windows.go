//go:build windows

package policy

import (
	"errors"
	"fmt"
	"io"

	"golang.org/x/sys/windows/registry"
)

// Bounds on what one policy key may hold: real keys have a few dozen
// values and list subkeys.
const (
	maxRegValues  = 256
	maxRegSubkeys = 64
	maxRegDepth   = 2
)

// winRegistry reads the real registry.
type winRegistry struct{}

func systemRegistry() Registry { return winRegistry{} }

var hives = map[string]registry.Key{"HKLM": registry.LOCAL_MACHINE, "HKCU": registry.CURRENT_USER}

// Read opens hive\path for reading and returns its values and subkeys.
func (winRegistry) Read(hive, path string) (map[string]any, bool, error) {
	root, ok := hives[hive]
	if !ok {
		return nil, false, fmt.Errorf("unknown hive %s", hive)
	}
	k, err := registry.OpenKey(root, path, registry.QUERY_VALUE|registry.ENUMERATE_SUB_KEYS)
	if errors.Is(err, registry.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("cannot open: %v", err)
	}
	defer k.Close()
	m, err := readKey(k, 0)
	return m, err == nil, err
}

// readKey reads a key's values and, up to maxRegDepth, its subkeys.
func readKey(k registry.Key, depth int) (map[string]any, error) {
	// ReadValueNames says io.EOF when the key holds fewer than asked for.
	names, err := k.ReadValueNames(maxRegValues)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("cannot list values: %v", err)
	}
	m := map[string]any{}
	for _, n := range names {
		if v, ok := readValue(k, n); ok {
			m[n] = v
		}
	}
	if depth >= maxRegDepth {
		return m, nil
	}
	subs, _ := k.ReadSubKeyNames(maxRegSubkeys)
	for _, s := range subs {
		sk, err := registry.OpenKey(k, s, registry.QUERY_VALUE|registry.ENUMERATE_SUB_KEYS)
		if err != nil {
			continue
		}
		if sm, err := readKey(sk, depth+1); err == nil {
			m[s] = sm
		}
		sk.Close()
	}
	return m, nil
}

// readValue decodes one value by its type; binary and unknown types are
// skipped (no policy read here uses them).
func readValue(k registry.Key, name string) (any, bool) {
	_, typ, err := k.GetValue(name, nil)
	if err != nil {
		return nil, false
	}
	switch typ {
	case registry.SZ, registry.EXPAND_SZ:
		s, _, err := k.GetStringValue(name)
		return s, err == nil && len(s) <= maxFileSize
	case registry.DWORD, registry.QWORD:
		v, _, err := k.GetIntegerValue(name)
		return v, err == nil
	case registry.MULTI_SZ:
		v, _, err := k.GetStringsValue(name)
		return v, err == nil
	}
	return nil, false
}
