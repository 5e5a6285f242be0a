//go:build !windows

package probe

import (
	"encoding/binary"
	"errors"
)

// checkCCache walks a version 3 or 4 ticket cache (MIT's file format, big
// endian) the way gokrb5's parser will, checking every length and count
// against what is left, so that parser can neither index past the end nor
// allocate for a count the file cannot hold. Versions 1 and 2 (native byte
// order, last written in the 1990s) are refused.
func checkCCache(b []byte) error {
	if len(b) < 2 || b[0] != 5 {
		return errors.New("not a Kerberos ticket cache")
	}
	if b[1] != 3 && b[1] != 4 {
		return errors.New("an old ticket cache format (version 1 or 2)")
	}
	c := &ccacheCursor{b: b, p: 2, v: b[1]}
	if c.v == 4 {
		c.header()
	}
	c.principal()
	for c.err == nil && c.p < len(b) {
		c.credential()
	}
	return c.err
}

// ccacheCursor reads with bounds checks; the first failure sticks.
type ccacheCursor struct {
	b   []byte
	p   int
	v   byte
	err error
}

var errCCacheTruncated = errors.New("truncated or corrupt")

func (c *ccacheCursor) need(n int) bool {
	if c.err == nil && (n < 0 || n > len(c.b)-c.p) {
		c.err = errCCacheTruncated
	}
	return c.err == nil
}

func (c *ccacheCursor) u16() int {
	if !c.need(2) {
		return 0
	}
	v := binary.BigEndian.Uint16(c.b[c.p:])
	c.p += 2
	return int(v)
}

func (c *ccacheCursor) i32() int {
	if !c.need(4) {
		return 0
	}
	v := int32(binary.BigEndian.Uint32(c.b[c.p:]))
	c.p += 4
	return int(v)
}

func (c *ccacheCursor) skip(n int) {
	if c.need(n) {
		c.p += n
	}
}

// data is a 32-bit length and that many bytes.
func (c *ccacheCursor) data() { c.skip(c.i32()) }

// header mirrors gokrb5's loop: fields are read while the position is at
// most the header length.
func (c *ccacheCursor) header() {
	hlen := c.u16()
	for c.err == nil && c.p <= hlen {
		c.u16()
		c.skip(c.u16())
	}
}

func (c *ccacheCursor) principal() {
	c.skip(4) // name type
	n := c.i32()
	c.data() // realm
	for i := 0; i < n && c.err == nil; i++ {
		c.data()
	}
}

// count is a 32-bit count of entries of at least min bytes each.
func (c *ccacheCursor) count(min int) int {
	n := c.i32()
	if c.err == nil && (n < 0 || n > (len(c.b)-c.p)/min) {
		c.err = errCCacheTruncated
	}
	return n
}

func (c *ccacheCursor) credential() {
	c.principal()
	c.principal()
	c.skip(2) // key type
	if c.v == 3 {
		c.skip(2)
	}
	c.data()      // key
	c.skip(16)    // four timestamps
	c.skip(1 + 4) // is_skey, ticket flags
	for range 2 { // addresses, then authorization data: type + data
		n := c.count(6)
		for i := 0; i < n && c.err == nil; i++ {
			c.skip(2)
			c.data()
		}
	}
	c.data() // ticket
	c.data() // second ticket
}
