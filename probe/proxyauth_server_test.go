package probe

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"unicode/utf16"

	"github.com/jcmturner/gokrb5/v8/credentials"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/spnego"
	//lint:ignore SA1019 NTLM's NT hash is MD4 by definition; the test proxy has to compute it
	"golang.org/x/crypto/md4"
)

// authProxy is a loopback CONNECT proxy that demands a login: Basic
// (user:password), NTLM (a real NTLMv2 check of the AUTHENTICATE message
// against the password, on the connection that got the CHALLENGE), or
// only challenges (schemes it cannot verify). After a good login the
// tunnel echoes what it is sent.
type authProxy struct {
	offer      []string // Proxy-Authenticate lines of a 407
	user, pass string
	// closeAfter407 closes the connection after the first 407 of each
	// connection, as some proxies do (Connection: close).
	closeAfter407 bool
	// tunnel: after a good login, connect to 127.0.0.1 on the CONNECT
	// target's port (whatever the name) instead of echoing.
	tunnel bool
	// sloppyChallenge: a CHALLENGE with a TargetName beyond its end, as
	// squid's ntlm_fake_auth sends (Chromium refuses it).
	sloppyChallenge bool
	// lmKeyChallenge: a CHALLENGE with the LM key flag (go-ntlmssp would
	// refuse it; Chromium answers NTLMv2 anyway).
	lmKeyChallenge bool
	// anyNTLM accepts any well-formed AUTHENTICATE after a CHALLENGE
	// (SSPI logs in with the logon's password, which a test cannot know).
	anyNTLM bool
	// keytab, when set, verifies Negotiate (Kerberos AP-REQ in SPNEGO) as
	// squid's negotiate_kerberos_auth does; principal is who logged in.
	keytab      *keytab.Keytab
	principal   atomic.Pointer[string]
	conns, legs atomic.Int32
	url         *url.URL
}

func startAuthProxy(t *testing.T, p *authProxy) *authProxy {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.conns.Add(1)
			wg.Go(func() { p.serve(c) })
		}
	})
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	p.url = &url.URL{Scheme: "http", Host: ln.Addr().String()}
	return p
}

// serverChallenge is the NTLM challenge the test proxy sends.
var serverChallenge = [8]byte{1, 2, 3, 4, 5, 6, 7, 8}

func (p *authProxy) serve(c net.Conn) {
	defer c.Close()
	br := bufio.NewReader(c)
	challenged := false // this connection got an NTLM CHALLENGE
	for first := true; ; first = false {
		req, err := http.ReadRequest(br)
		if err != nil || req.Method != http.MethodConnect {
			return
		}
		p.legs.Add(1)
		scheme, tok, _ := strings.Cut(req.Header.Get("Proxy-Authorization"), " ")
		raw, _ := base64.StdEncoding.DecodeString(tok)
		switch {
		case scheme == "Basic" && string(raw) == p.user+":"+p.pass:
		case scheme == "NTLM" && len(raw) > 8 && raw[8] == 1:
			msg := ntlmChallengeMessage()
			if p.sloppyChallenge {
				binary.LittleEndian.PutUint16(msg[12:], 9)
				binary.LittleEndian.PutUint32(msg[16:], 0xaaaaaaae)
			}
			if p.lmKeyChallenge {
				binary.LittleEndian.PutUint32(msg[20:], binary.LittleEndian.Uint32(msg[20:])|0x80)
			}
			p.write407(c, []string{"NTLM " + base64.StdEncoding.EncodeToString(msg)}, false)
			challenged = true
			continue
		case scheme == "Negotiate" && p.keytab != nil && p.negotiateOK(raw):
		case scheme == "NTLM" && challenged && (ntlmValid(raw, p.user, p.pass) || p.anyNTLM && ntlmWellFormed(raw)):
		default:
			closeNow := p.closeAfter407 && first
			p.write407(c, p.offer, closeNow)
			if closeNow {
				return
			}
			continue
		}
		if p.tunnel {
			_, port, _ := net.SplitHostPort(req.Host)
			up, err := net.Dial("tcp4", "127.0.0.1:"+port)
			if err != nil {
				return
			}
			defer up.Close()
			_, _ = io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
			go func() { _, _ = io.Copy(up, br); up.Close() }()
			_, _ = io.Copy(c, up)
			return
		}
		_, _ = io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
		_, _ = io.Copy(c, br)
		return
	}
}

func (p *authProxy) write407(c net.Conn, offer []string, closeConn bool) {
	body := "login needed\n"
	var b strings.Builder
	b.WriteString("HTTP/1.1 407 Proxy Authentication Required\r\n")
	for _, o := range offer {
		b.WriteString("Proxy-Authenticate: " + o + "\r\n")
	}
	if closeConn {
		b.WriteString("Connection: close\r\n")
	}
	b.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body)
	_, _ = io.WriteString(c, b.String())
}

// ntlmChallengeMessage is a CHALLENGE (MS-NLMP 2.2.1.2) with Unicode and
// extended session security and a target info holding only MsvAvEOL.
func ntlmChallengeMessage() []byte {
	targetInfo := []byte{0, 0, 0, 0} // MsvAvEOL
	const headerLen = 48
	var b bytes.Buffer
	b.WriteString("NTLMSSP\x00")
	_ = binary.Write(&b, binary.LittleEndian, uint32(2))
	_ = binary.Write(&b, binary.LittleEndian, uint64(0))                                           // TargetName: empty
	_ = binary.Write(&b, binary.LittleEndian, uint32(0x00000001|0x00000200|0x00080000|0x00800000)) // unicode, NTLM, ESS, target info
	b.Write(serverChallenge[:])
	b.Write(make([]byte, 8))
	_ = binary.Write(&b, binary.LittleEndian, uint16(len(targetInfo)))
	_ = binary.Write(&b, binary.LittleEndian, uint16(len(targetInfo)))
	_ = binary.Write(&b, binary.LittleEndian, uint32(headerLen))
	b.Write(targetInfo)
	return b.Bytes()
}

// ntlmValid checks an AUTHENTICATE message's NTLMv2 response: NTProofStr
// = HMAC-MD5(NTOWFv2, server challenge + blob) (MS-NLMP 3.3.2).
func ntlmValid(msg []byte, user, pass string) bool {
	field := func(off int) []byte {
		if len(msg) < off+8 {
			return nil
		}
		l := int(binary.LittleEndian.Uint16(msg[off:]))
		o := int(binary.LittleEndian.Uint32(msg[off+4:]))
		if o+l > len(msg) {
			return nil
		}
		return msg[o : o+l]
	}
	if len(msg) < 64 || string(msg[:8]) != "NTLMSSP\x00" || binary.LittleEndian.Uint32(msg[8:]) != 3 {
		return false
	}
	nt, domain, name := field(20), field(28), field(36)
	if len(nt) < 16 || fromUTF16(name) != user {
		return false
	}
	h := md4.New()
	h.Write(toUTF16(pass))
	ntowf := hmacMD5(h.Sum(nil), toUTF16(strings.ToUpper(fromUTF16(name))+fromUTF16(domain)))
	proof := hmacMD5(ntowf, serverChallenge[:], nt[16:])
	return hmac.Equal(proof, nt[:16])
}

func hmacMD5(key []byte, data ...[]byte) []byte {
	m := hmac.New(md5.New, key)
	for _, d := range data {
		m.Write(d)
	}
	return m.Sum(nil)
}

func toUTF16(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return b
}

func fromUTF16(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}

// ntlmWellFormed: an AUTHENTICATE with an NTLM response (NTLMv2 or v1).
func ntlmWellFormed(msg []byte) bool {
	return len(msg) >= 64 && string(msg[:8]) == "NTLMSSP\x00" && binary.LittleEndian.Uint32(msg[8:]) == 3 &&
		binary.LittleEndian.Uint16(msg[20:]) >= 24
}

// negotiateOK checks an SPNEGO token with the keytab (gokrb5's service
// side) and keeps the client principal.
func (p *authProxy) negotiateOK(raw []byte) bool {
	var st spnego.SPNEGOToken
	if st.Unmarshal(raw) != nil {
		return false
	}
	ok, ctx, _ := spnego.SPNEGOService(p.keytab).AcceptSecContext(&st)
	if !ok || ctx == nil {
		return false
	}
	if c, isCreds := ctx.Value("github.com/jcmturner/gokrb5/v8/ctxCredentials").(*credentials.Credentials); isCreds {
		name := c.UserName() + "@" + c.Domain()
		p.principal.Store(&name)
	}
	return true
}
