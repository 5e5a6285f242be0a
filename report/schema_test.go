package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/rtcprobe/rtcprobe/result"
)

func compiledSchema(t testing.TB) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema()))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// validate checks a report, through its JSON, against schema.json.
func validate(t testing.TB, r *result.Report) {
	t.Helper()
	var b bytes.Buffer
	if err := WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	if err := validateJSON(t, b.Bytes()); err != nil {
		t.Errorf("report does not validate: %v", err)
	}
}

func validateJSON(t testing.TB, b []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return compiledSchema(t).Validate(v)
}

// TestSchemaCanFail proves the schema is strict on the contract names.
func TestSchemaCanFail(t *testing.T) {
	good := jsonOf(t, scenarios()[1].report(t))
	tests := []struct {
		name string
		edit func(m map[string]any)
	}{
		{"schema id", func(m map[string]any) { m["schema"] = "rtcprobe/report/v2" }},
		{"missing verdict", func(m map[string]any) { delete(m, "verdict") }},
		{"missing firewallError5501", func(m map[string]any) { delete(m["verdict"].(map[string]any), "firewallError5501") }},
		{"bad signaling", func(m map[string]any) { m["verdict"].(map[string]any)["signaling"] = "fine" }},
		{"bad media", func(m map[string]any) { m["verdict"].(map[string]any)["media"] = "udp" }},
		{"missing path", func(m map[string]any) { delete(m["paths"].(map[string]any), "turn-tls") }},
		{"bad path status", func(m map[string]any) {
			m["paths"].(map[string]any)["turn-udp"].(map[string]any)["status"] = "fine"
		}},
		{"bad probe kind", func(m map[string]any) { m["probes"].([]any)[0].(map[string]any)["kind"] = "icmp" }},
		{"probe without rttMs", func(m map[string]any) { delete(m["probes"].([]any)[0].(map[string]any), "rttMs") }},
		{"bad rule protocol", func(m map[string]any) { m["remediation"].([]any)[0].(map[string]any)["protocol"] = "sctp" }},
		{"missing remediation", func(m map[string]any) { delete(m, "remediation") }},
		{"bad startedAt", func(m map[string]any) { m["startedAt"] = "yesterday" }},
	}
	if err := validateJSON(t, []byte(good)); err != nil {
		t.Fatalf("the unedited report must validate: %v", err)
	}
	for _, tt := range tests {
		var m map[string]any
		if err := json.Unmarshal([]byte(good), &m); err != nil {
			t.Fatal(err)
		}
		tt.edit(m)
		b, _ := json.Marshal(m)
		if err := validateJSON(t, b); err == nil {
			t.Errorf("%s: validates, want a schema error", tt.name)
		}
	}
}

func TestSchemaIDMatchesModel(t *testing.T) {
	if !strings.Contains(string(Schema()), `"const": "`+result.SchemaID+`"`) {
		t.Errorf("schema.json does not pin schema to %s", result.SchemaID)
	}
}
