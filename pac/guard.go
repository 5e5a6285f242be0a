package pac

import (
	"runtime/metrics"
	"sync"
	"time"

	"github.com/dop251/goja"
)

// The memory bound. goja has no heap limit, so three things bound what a
// script can take:
//
//  1. A fresh runtime per evaluation: nothing a script builds survives it.
//  2. A watchdog that samples the Go heap (runtime/metrics, every
//     watchInterval) and interrupts the runtime once it has grown by more
//     than the limit since the evaluation began. An interrupt is seen at
//     the next JavaScript instruction, so a loop that doubles a string
//     overshoots by at most one step.
//  3. Guards on the builtins that build a huge value in one native step,
//     which no interrupt can stop: String repeat/padStart/padEnd/split, Array
//     join, Array.from and fill, and the Array methods that walk every index
//     (a sparse array of length 2^32-1 costs nothing to make but minutes
//     to walk); typed arrays and
//     ArrayBuffer are removed (no PAC script needs them).
//
// The heap is the process's, so the watchdog may also count other
// goroutines' allocations; rtcprobe evaluates its PAC before the probes
// start, and the limit is far above what any real script needs.
const watchInterval = 2 * time.Millisecond

// heapMetric is the bytes of heap objects, live or not yet swept: it
// rises with every allocation, unlike the live heap measured at GC time.
const heapMetric = "/memory/classes/heap/objects:bytes"

type watchdog struct {
	limit uint64
	done  chan struct{}
	once  sync.Once
	// Peak is the largest growth seen, for tests and benchmarks.
	peak uint64
	mu   sync.Mutex
}

// heapBytes reads the heap-objects metric.
func heapBytes() uint64 {
	s := []metrics.Sample{{Name: heapMetric}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// watch starts a watchdog on vm; stop it when the evaluation ends.
func watch(vm *goja.Runtime, limit uint64) *watchdog {
	d := &watchdog{limit: limit, done: make(chan struct{})}
	base := heapBytes()
	go func() {
		t := time.NewTicker(watchInterval)
		defer t.Stop()
		for {
			select {
			case <-d.done:
				return
			case <-t.C:
			}
			now := heapBytes()
			if now <= base {
				continue
			}
			grown := now - base
			d.mu.Lock()
			d.peak = max(d.peak, grown)
			d.mu.Unlock()
			if grown > limit {
				vm.Interrupt(errMemoryLimit)
				return
			}
		}
	}()
	return d
}

func (d *watchdog) stop() { d.once.Do(func() { close(d.done) }) }

// guardJS replaces the one-step allocators with checked versions. It runs
// before the script in the same runtime, in a closure the script cannot
// reach, and takes the limits as arguments.
const guardJS = `(function (maxStr, maxArr) {
  "use strict";
  var def = function (obj, name, fn) {
    Object.defineProperty(obj, name, {value: fn, writable: true, configurable: true, enumerable: false});
  };
  var tooLong = function (what) { throw new RangeError(what + " too long for a PAC script"); };
  var repeat = String.prototype.repeat, padStart = String.prototype.padStart, padEnd = String.prototype.padEnd;
  var join = Array.prototype.join, fill = Array.prototype.fill, from = Array.from, OrigArray = Array;
  def(String.prototype, "repeat", function (n) {
    var s = String(this); n = Number(n);
    if (s.length * n > maxStr) tooLong("string");
    return repeat.call(s, n);
  });
  def(String.prototype, "padStart", function (n, f) {
    if (Number(n) > maxStr) tooLong("string");
    return padStart.call(this, n, f);
  });
  def(String.prototype, "padEnd", function (n, f) {
    if (Number(n) > maxStr) tooLong("string");
    return padEnd.call(this, n, f);
  });
  var split = String.prototype.split;
  def(String.prototype, "split", function (sep, limit) {
    var s = String(this);
    if (s.length > maxArr && (limit === undefined || Number(limit) > maxArr)) tooLong("string to split");
    return split.call(s, sep, limit);
  });
  def(Array.prototype, "join", function (sep) {
    var n = this.length >>> 0;
    if (n > maxArr) tooLong("array");
    var s = sep === undefined ? 1 : String(sep).length, total = n > 0 ? (n - 1) * s : 0;
    for (var i = 0; i < n; i++) {
      var e = this[i];
      if (e !== undefined && e !== null) total += String(e).length;
      if (total > maxStr) tooLong("string");
    }
    return join.call(this, sep);
  });
  def(Array.prototype, "fill", function () {
    if ((this.length >>> 0) > maxArr) tooLong("array");
    return fill.apply(this, arguments);
  });
  def(Array, "from", function (src) {
    if (src !== null && src !== undefined && Number(src.length) > maxArr) tooLong("array");
    return from.apply(this, arguments);
  });
  var names = ["ArrayBuffer", "SharedArrayBuffer", "DataView", "Int8Array", "Uint8Array",
    "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array",
    "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array"];
  for (var i = 0; i < names.length; i++) { delete globalThis[names[i]]; }
  var walkers = ["map", "forEach", "filter", "reduce", "reduceRight", "some", "every", "indexOf",
    "lastIndexOf", "includes", "find", "findIndex", "findLast", "findLastIndex", "reverse", "sort",
    "slice", "splice", "concat", "flat", "flatMap", "copyWithin", "toLocaleString"];
  for (var j = 0; j < walkers.length; j++) {
    (function (name) {
      var orig = Array.prototype[name];
      if (typeof orig !== "function") return;
      def(Array.prototype, name, function () {
        if ((this.length >>> 0) > maxArr) tooLong("array");
        return orig.apply(this, arguments);
      });
    })(walkers[j]);
  }
})`

// installGuards runs guardJS in vm.
func installGuards(vm *goja.Runtime) error {
	v, err := vm.RunString(guardJS)
	if err != nil {
		return err
	}
	fn, _ := goja.AssertFunction(v)
	_, err = fn(goja.Undefined(), vm.ToValue(maxStringLen), vm.ToValue(maxArrayLen))
	return err
}
