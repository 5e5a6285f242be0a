package report

// SetTextWidth sets the text report's width for a test and returns what
// puts it back.
func SetTextWidth(n int) (restore func()) {
	old := textWidth
	textWidth = n
	return func() { textWidth = old }
}
