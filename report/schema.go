package report

import _ "embed"

//go:embed schema.json
var schemaJSON []byte

// Schema returns the JSON Schema (draft 2020-12) of the report format
// SchemaID. The caller gets a copy and may change it.
func Schema() []byte {
	return append([]byte(nil), schemaJSON...)
}
