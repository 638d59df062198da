// writer: a stand-in for a running buildkitd, for cachescope's tests. It
// writes BuildKit's cache stores with the real bbolt library, opened the
// way the daemon opens them (solver/bboltcachestorage: NoSync and the
// hashmap freelist for cache.db; util/cachedigest: the hashmap freelist for
// cache-debug.db), so cachescope can be tested against a store that keeps
// changing under it.
//
// The cache.db it writes goes through a fixed set of states: state N is
// the fixture's own records plus N synthetic chains of N keys each, every
// key with one result, in the daemon's bucket layout (_links, _result,
// _byresult, _backlinks). Each transaction moves from one state to the
// next (N -> N+1 -> ... -> MAX -> MAX-1 -> ... -> 0 -> ...), so every
// committed snapshot is exactly one state, and a reader's output can be
// checked against the outputs of the states, written once to static files.
//
//	writer states CACHE_DB DEBUG_DB OUTDIR MAX
//	    OUTDIR/state-K/{cache.db,cache-debug.db} for K = 0..MAX (reference
//	    daemon roots), and OUTDIR/live/ (state 0) for the live run; the
//	    cache-debug.db holds the fixture's plaintexts and every synthetic
//	    key's, and is the same file in every state.
//	writer live DIR MAX SECONDS
//	    commits state changes to DIR/cache.db for SECONDS (or until a file
//	    DIR/stop appears), and between them
//	    adds and removes filler plaintexts in DIR/cache-debug.db (so the
//	    pages holding the real ones keep moving); writes its progress to
//	    DIR/ticks ("<unix ms> <commits>", every 50 ms); prints
//	    "commits N seconds S rate R max_ms M" (M: the slowest commit).
//	writer bigplain DEBUG_DB DIGEST SIZE
//	    stores a "string" plaintext of SIZE bytes under DIGEST.
//	writer plain DEBUG_DB DIGEST TYPE_FILE DATA_FILE
//	    stores a plaintext whose type and data are the bytes of two files
//	    (any bytes at all: the terminal-safety test's control sequences).
//
// Build (Debian: golang-go, golang-github-coreos-bbolt-dev):
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o writer writer.go
package main

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

var (
	cacheOptions = &bolt.Options{NoSync: true, FreelistType: bolt.FreelistMapType, Timeout: 5 * time.Second}
	debugOptions = &bolt.Options{FreelistType: bolt.FreelistMapType, Timeout: 5 * time.Second}
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "writer: "+format+"\n", args...)
	os.Exit(1)
}

func sum(parts ...interface{}) [32]byte {
	return sha256.Sum256([]byte(fmt.Sprint(parts...)))
}

func digestOf(b [32]byte) string { return "sha256:" + hex.EncodeToString(b[:]) }

// outputKey(d, o) = sha256("<d>@<o>"), BuildKit's link and root digest.
func outputKey(d string, o int) string {
	return digestOf(sha256.Sum256([]byte(fmt.Sprintf("%s@%d", d, o))))
}

// A 25-character base-36 ID, like the daemon's random key and result IDs.
func base36ID(parts ...interface{}) string {
	b := sum(parts...)
	s := new(big.Int).SetBytes(b[:]).Text(36)
	for len(s) < 25 {
		s = "0" + s
	}
	return s[:25]
}

// The synthetic keys: chain c has a root and keys 1..n below it.
func rootSource(c int) string  { return digestOf(sum("live-source-", c)) }
func rootID(c int) string      { return outputKey(rootSource(c), 0) }
func opDigest(c, j int) string { return digestOf(sum("live-op-", c, "-", j)) }
func keyID(c, j int) string {
	if j == 0 {
		return rootID(c)
	}
	return base36ID("live-key-", c, "-", j)
}
func resultID(c, j int) string { return base36ID("live-result-", c, "-", j) }

// The link key the daemon writes: json.Marshal(CacheInfoLink) (omitempty
// on Input, Output and Selector), "@", the target ID.
type link struct {
	Input    int    `json:"Input,omitempty"`
	Output   int    `json:"Output,omitempty"`
	Digest   string `json:"Digest"`
	Selector string `json:"Selector,omitempty"`
}

// The digest of "/", BuildKit's selector for a whole input.
var rootPath = digestOf(sha256.Sum256([]byte("/")))

func linkKey(c, j int) []byte {
	l := link{Digest: opDigest(c, j)}
	if j%2 == 0 {
		l.Selector = rootPath // some links narrowed, some not
	}
	dt, err := json.Marshal(l)
	if err != nil {
		panic(err)
	}
	return append(append(dt, '@'), keyID(c, j)...)
}

func bucket(tx *bolt.Tx, names ...string) *bolt.Bucket {
	b := tx.Bucket([]byte(names[0]))
	for _, n := range names[1:] {
		if b == nil {
			return nil
		}
		b = b.Bucket([]byte(n))
	}
	return b
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func create(b *bolt.Bucket, name string) *bolt.Bucket {
	nb, err := b.CreateBucketIfNotExists([]byte(name))
	must(err)
	return nb
}

// addKey adds key j of chain c (and its link from key j-1), as the daemon's
// AddResult and AddLink do.
func addKey(tx *bolt.Tx, c, j int) {
	id, rid := keyID(c, j), resultID(c, j)
	create(bucket(tx, "_links"), id)
	res, err := json.Marshal(map[string]string{"CreatedAt": "2025-01-01T00:00:00Z", "ID": rid})
	must(err)
	must(create(bucket(tx, "_result"), id).Put([]byte(rid), res))
	must(create(bucket(tx, "_byresult"), rid).Put([]byte(id), []byte{}))
	if j > 0 {
		parent := keyID(c, j-1)
		must(create(bucket(tx, "_links"), parent).Put(linkKey(c, j), []byte{}))
		must(create(bucket(tx, "_backlinks"), id).Put([]byte(parent), []byte{}))
	}
}

// removeKey undoes addKey (the last key of a chain), as Release does.
func removeKey(tx *bolt.Tx, c, j int) {
	id, rid := keyID(c, j), resultID(c, j)
	if j > 0 {
		must(bucket(tx, "_links", keyID(c, j-1)).Delete(linkKey(c, j)))
		must(bucket(tx, "_backlinks").DeleteBucket([]byte(id)))
	}
	must(bucket(tx, "_byresult").DeleteBucket([]byte(rid)))
	must(bucket(tx, "_result").DeleteBucket([]byte(id)))
	must(bucket(tx, "_links").DeleteBucket([]byte(id)))
}

// State n has chains 0..n-1, each of keys 0..n (a root and n below it).
func grow(tx *bolt.Tx, n int) { // n -> n+1
	for c := 0; c < n; c++ {
		addKey(tx, c, n+1)
	}
	for j := 0; j <= n+1; j++ {
		addKey(tx, n, j)
	}
}

func shrink(tx *bolt.Tx, n int) { // n -> n-1
	for j := n; j >= 0; j-- {
		removeKey(tx, n-1, j)
	}
	for c := 0; c < n-1; c++ {
		removeKey(tx, c, n)
	}
}

func frames(typ string, data []byte) []byte {
	var out []byte
	for _, f := range []struct {
		id   uint32
		data []byte
	}{{1, []byte(typ)}, {2, data}} {
		var h [8]byte
		binary.BigEndian.PutUint32(h[:4], f.id)
		binary.BigEndian.PutUint32(h[4:], uint32(len(f.data)))
		out = append(append(out, h[:]...), f.data...)
	}
	return out
}

// The plaintexts the daemon would keep for every synthetic key up to MAX.
func putPlaintexts(tx *bolt.Tx, max int) {
	b, err := tx.CreateBucketIfNotExists([]byte("byhash"))
	must(err)
	put := func(d, typ string, data string) { must(b.Put([]byte(d), frames(typ, []byte(data)))) }
	for c := 0; c < max; c++ {
		src := rootSource(c)
		put(rootID(c), "string", src+"@0")
		put(src, "string", fmt.Sprintf("live.source.v0:chain %d", c))
		for j := 1; j <= max; j++ {
			op := opDigest(c, j)
			put(op, "json", fmt.Sprintf(`{"Type":"live.op.v0","Chain":%d,"Key":%d}`, c, j))
			put(outputKey(op, 0), "string", op+"@0")
		}
	}
}

func copyFile(from, to string) {
	in, err := os.Open(from)
	must(err)
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	must(err)
	_, err = io.Copy(out, in)
	must(err)
	must(out.Close())
}

func update(path string, opts *bolt.Options, fn func(tx *bolt.Tx)) {
	db, err := bolt.Open(path, 0o644, opts)
	must(err)
	must(db.Update(func(tx *bolt.Tx) error { fn(tx); return nil }))
	must(db.Close())
}

func states(cacheDB, debugDB, outdir string, max int) {
	must(os.MkdirAll(outdir, 0o755))
	debug := filepath.Join(outdir, "cache-debug.db")
	copyFile(debugDB, debug)
	update(debug, debugOptions, func(tx *bolt.Tx) { putPlaintexts(tx, max) })
	for k := 0; k <= max; k++ {
		dir := filepath.Join(outdir, fmt.Sprintf("state-%d", k))
		must(os.MkdirAll(dir, 0o755))
		copyFile(cacheDB, filepath.Join(dir, "cache.db"))
		copyFile(debug, filepath.Join(dir, "cache-debug.db"))
		update(filepath.Join(dir, "cache.db"), cacheOptions, func(tx *bolt.Tx) {
			for n := 0; n < k; n++ {
				grow(tx, n)
			}
		})
	}
	live := filepath.Join(outdir, "live")
	must(os.MkdirAll(live, 0o755))
	copyFile(filepath.Join(outdir, "state-0", "cache.db"), filepath.Join(live, "cache.db"))
	copyFile(debug, filepath.Join(live, "cache-debug.db"))
}

func live(dir string, max int, seconds float64) {
	cache, err := bolt.Open(filepath.Join(dir, "cache.db"), 0o644, cacheOptions)
	must(err)
	debug, err := bolt.Open(filepath.Join(dir, "cache-debug.db"), 0o644, debugOptions)
	must(err)
	rng := rand.New(rand.NewSource(1))
	var fillers []string
	n, up, commits := 0, true, 0
	var slowest time.Duration
	start := time.Now()
	deadline := start.Add(time.Duration(seconds * float64(time.Second)))
	stop := filepath.Join(dir, "stop")
	// DIR/ticks: "<unix ms> <commits so far>" every 50 ms, so a test can
	// compare the commit rate while it reads with the rate while it does not
	ticks, err := os.Create(filepath.Join(dir, "ticks"))
	must(err)
	defer ticks.Close()
	lastTick := time.Time{}
	for time.Now().Before(deadline) {
		if _, err := os.Stat(stop); err == nil {
			break
		}
		t := time.Now()
		must(cache.Update(func(tx *bolt.Tx) error {
			if up {
				grow(tx, n)
				n++
			} else {
				shrink(tx, n)
				n--
			}
			return nil
		}))
		if n == max {
			up = false
		} else if n == 0 {
			up = true
		}
		// the plaintext store: filler entries come and go among the real ones
		must(debug.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket([]byte("byhash"))
			for i := 0; i < 8; i++ {
				if len(fillers) > 200 || (len(fillers) > 0 && rng.Intn(2) == 0) {
					k := rng.Intn(len(fillers))
					must(b.Delete([]byte(fillers[k])))
					fillers = append(fillers[:k], fillers[k+1:]...)
					continue
				}
				d := digestOf(sum("filler-", rng.Int63()))
				data := make([]byte, rng.Intn(3000))
				rng.Read(data)
				must(b.Put([]byte(d), frames("file", data)))
				fillers = append(fillers, d)
			}
			return nil
		}))
		if d := time.Since(t); d > slowest {
			slowest = d
		}
		commits += 2
		if now := time.Now(); now.Sub(lastTick) >= 50*time.Millisecond {
			fmt.Fprintf(ticks, "%d %d\n", now.UnixMilli(), commits)
			lastTick = now
		}
	}
	elapsed := time.Since(start).Seconds()
	must(cache.Close())
	must(debug.Close())
	fmt.Printf("commits %d seconds %.2f rate %.0f max_ms %.1f\n", commits, elapsed,
		float64(commits)/elapsed, float64(slowest.Microseconds())/1000)
}

func bigplain(path, digest string, size int) {
	data := make([]byte, size)
	for i := range data {
		data[i] = "0123456789abcdef"[i%16]
	}
	update(path, debugOptions, func(tx *bolt.Tx) {
		b, err := tx.CreateBucketIfNotExists([]byte("byhash"))
		must(err)
		must(b.Put([]byte(digest), frames("string", data)))
	})
}

func plain(path, digest, typeFile, dataFile string) {
	typ, err := os.ReadFile(typeFile)
	must(err)
	data, err := os.ReadFile(dataFile)
	must(err)
	update(path, debugOptions, func(tx *bolt.Tx) {
		b, err := tx.CreateBucketIfNotExists([]byte("byhash"))
		must(err)
		must(b.Put([]byte(digest), frames(string(typ), data)))
	})
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		fail("not a number: %s", s)
	}
	return n
}

func main() {
	a := os.Args
	switch {
	case len(a) == 6 && a[1] == "states":
		states(a[2], a[3], a[4], atoi(a[5]))
	case len(a) == 5 && a[1] == "live":
		secs, err := strconv.ParseFloat(a[4], 64)
		if err != nil {
			fail("not a number: %s", a[4])
		}
		live(a[2], atoi(a[3]), secs)
	case len(a) == 5 && a[1] == "bigplain":
		bigplain(a[2], a[3], atoi(a[4]))
	case len(a) == 6 && a[1] == "plain":
		plain(a[2], a[3], a[4], a[5])
	default:
		fail("usage: writer states CACHE_DB DEBUG_DB OUTDIR MAX | live DIR MAX SECONDS |\n" +
			"       bigplain DEBUG_DB DIGEST SIZE | plain DEBUG_DB DIGEST TYPE_FILE DATA_FILE")
	}
}
