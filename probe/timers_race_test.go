//go:build race

package probe

// raceSlack widens the scaled timers under the race detector, which makes
// handshakes (keys, certificates) several times slower: a TLS handshake to
// a loopback TURN server took longer than 0.05 of TURNConnect.
const raceSlack = 3
