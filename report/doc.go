// Package report is the verdict and the renderers: it judges the results
// the probes produced (package result) into a verdict, findings and
// firewall rules, and renders them as text or JSON. It never touches the
// network: data flows one way, plan -> probes -> results -> verdict ->
// renderers, and this package is the last two.
package report
