package probe

// Secret holds a credential. Its String, GoString and JSON forms never show
// the value, so a stray %v or json.Marshal cannot leak it; call Reveal only
// where the credential is handed to the TURN client.
type Secret string

const redacted = "[redacted]"

// String implements fmt.Stringer without revealing the value.
func (Secret) String() string { return redacted }

// GoString implements fmt.GoStringer without revealing the value.
func (Secret) GoString() string { return redacted }

// MarshalJSON never reveals the value.
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// MarshalText never reveals the value.
func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// Reveal returns the credential itself.
func (s Secret) Reveal() string { return string(s) }
