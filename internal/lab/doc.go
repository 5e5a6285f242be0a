// Package lab is the firewall lab: a self-cleaning set of Linux network
// namespaces (laptop, firewall, cloud) with real servers in them (coturn,
// nginx, squid, dnsmasq, mitmproxy and a Go TLS + WebSocket server), used by
// the tests to prove that rtcprobe tells the truth about real firewalls.
//
// It needs root and iproute2; without them Start skips the test and says why.
// Everything the lab sends stays inside the namespaces it creates. The API is
// documented in lab.go; the scenarios and measurements in README.md.
package lab
