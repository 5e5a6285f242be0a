package reflector

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"
)

// checkMetricsAddr refuses a metrics endpoint reachable from outside: the
// counters reveal traffic patterns and the endpoint has no authentication.
func checkMetricsAddr(addr string, force bool) error {
	if addr == "" || force {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%w: --metrics %q: want HOST:PORT such as 127.0.0.1:9464", ErrConfig, addr)
	}
	if host == "localhost" {
		return nil
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !ip.IsLoopback() {
		return fmt.Errorf("%w: --metrics %q (use 127.0.0.1 or ::1, or force it with --metrics-any-addr)", ErrMetricsBind, addr)
	}
	return nil
}

func (s *Server) startMetrics(wg *sync.WaitGroup) error {
	ln, err := net.Listen("tcp", s.cfg.Metrics)
	if err != nil {
		return fmt.Errorf("metrics %s: %w", s.cfg.Metrics, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		s.metrics.WritePrometheus(w)
		s.flows.metrics.WritePrometheus(w)
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	wg.Add(1)
	go func() { defer wg.Done(); _ = srv.Serve(ln) }()
	s.addCloser(func(ctx context.Context) error { return srv.Shutdown(ctx) })
	s.mu.Lock()
	s.metricsAddr = ln.Addr()
	s.mu.Unlock()
	return nil
}
