package probe

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"

	"github.com/coder/websocket"

	"github.com/rtcprobe/rtcprobe/result"
)

// oneConnClient is an HTTP client whose only connection is the already
// verified TLS connection, so the request takes the path the TCP and TLS
// probes measured (directly or through the proxy tunnel).
func oneConnClient(tc *tls.Conn) *http.Client {
	var once sync.Once
	dial := func(context.Context, string, string) (net.Conn, error) {
		var c net.Conn
		once.Do(func() { c = leaveFirst{tc} })
		if c == nil {
			return nil, errors.New("probe: connection already used")
		}
		return c, nil
	}
	return &http.Client{
		Transport: &http.Transport{DialTLSContext: dial, DisableKeepAlives: true},
		// No redirects: any HTTP answer already proves the path open.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// leaveFirst is the request's TLS connection as the HTTP client holds it.
// The client closes it when it gives up (the answer deadline) or is done;
// tls.Conn.Close would first send close_notify and only then close the
// socket, and a server that answers when its client leaves (a handler
// waiting on its request's context) could slip an answer into that window,
// which the client then reads as if it came in time. Closing the socket
// first ends the conversation before the server can hear of it.
type leaveFirst struct{ *tls.Conn }

func (c leaveFirst) Close() error {
	err := c.NetConn().Close()
	_ = c.Conn.Close() // frees the TLS state; its close_notify cannot go out
	return err
}

// request sends the HTTPS GET or the WebSocket upgrade over tc and records
// <id>/https or <id>/ws. tc is closed on return.
func (r *run) request(ctx context.Context, t WebTarget, base result.Probe, tc *tls.Conn, via string) {
	defer tc.Close()
	p := base
	p.ID, p.Kind, p.Step = result.WebID(t.ID, result.StepHTTPS), result.KindHTTPS, ""
	if t.IsWebSocket() {
		p.ID, p.Kind = result.WebID(t.ID, result.StepWS), result.KindWebSocket
	}
	p.Transport, p.Details = "tls", map[result.DetailKey]string{}
	if via != "" {
		p.Details[result.DetailVia] = via
		p.Via = result.ViaHTTPProxy
	}
	start := r.begin(p)
	ctx, cancel := context.WithTimeout(ctx, r.plan.Timing().HTTPAnswer)
	defer cancel()
	client := oneConnClient(tc)
	defer client.CloseIdleConnections()
	var resp *http.Response
	var err error
	if t.IsWebSocket() {
		resp, err = wsUpgrade(ctx, client, t.URL)
	} else {
		resp, err = httpsGet(ctx, client, t.URL)
	}
	p.RTTMs = result.RTT(r.env.now().Sub(start))
	r.finish(classifyAnswer(p, t.IsWebSocket(), resp, err, ctx.Err()))
}

// classifyAnswer: for HTTPS any answer is ok; for WebSocket only 101.
func classifyAnswer(p result.Probe, ws bool, resp *http.Response, err, ctxErr error) result.Probe {
	if resp != nil {
		p.Details[result.DetailHttpStatus] = strconv.Itoa(resp.StatusCode)
		if s := resp.Header.Get("Server"); s != "" {
			p.Details[result.DetailServer] = s
		}
		if !ws || resp.StatusCode == http.StatusSwitchingProtocols {
			p.Status = result.StatusOK
			return p
		}
		p.Status, p.Reason, p.Step = result.StatusFailed, result.HTTPReason(resp.StatusCode), "upgrade"
		if err != nil {
			p.Error = err.Error()
		}
		return p
	}
	p.Step = "request"
	if ws {
		p.Step = "upgrade"
	}
	if err == nil {
		err = errors.New("no answer")
	}
	p.Error = err.Error()
	if ctxErr != nil || isTimeout(err) {
		p.Status, p.Reason = result.StatusBlocked, result.ReasonTimeout
	} else {
		p.Status, p.Reason = result.StatusError, result.ReasonRequestError
	}
	return p
}

func httpsGet(ctx context.Context, client *http.Client, u string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return resp, nil
}

// wsUpgrade tries the upgrade; coder/websocket hands back the HTTP answer
// even when it is not 101.
func wsUpgrade(ctx context.Context, client *http.Client, u string) (*http.Response, error) {
	c, resp, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPClient: client})
	if c != nil {
		c.CloseNow()
	}
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	return resp, err
}
