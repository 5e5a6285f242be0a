//go:build !race

package probe

// raceSlack is 1 without the race detector (timers_race_test.go).
const raceSlack = 1
