// Command stores writes cache.db stores (with the real bbolt library) whose
// shapes test the first rows the browser draws before the rest loads
// (core/store_prefix.c): a key reached from several roots, random roots,
// keys whose parents sort (and are numbered) after them, parents no root
// reaches, ties between parents, a root that is also a child, keys in
// _links that are not buckets, and random graphs, on small pages so that
// every bucket spans several levels.
//
// Usage: stores DIR   (writes DIR/<name>/cache.db)
package main

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
)

type link struct {
	Input    int    `json:"Input,omitempty"`
	Output   int    `json:"Output,omitempty"`
	Digest   string `json:"Digest"`
	Selector string `json:"Selector,omitempty"`
}

type edge struct {
	from, to string
	l        link
}

type store struct {
	roots     []string // keys that get a bucket even without links
	edges     []edge
	values    []string // keys in _links that are values, not buckets
	noBacklinks bool
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func digest(s string) string {
	return fmt.Sprintf("sha256:%x", sha256.Sum256([]byte(s)))
}

const base36 = "0123456789abcdefghijklmnopqrstuvwxyz"

func id(r *rand.Rand) string {
	b := make([]byte, 25)
	for i := range b {
		b[i] = base36[r.Intn(len(base36))]
	}
	return string(b)
}

func write(dir string, s store) {
	must(os.MkdirAll(dir, 0755))
	path := filepath.Join(dir, "cache.db")
	os.Remove(path)
	db, err := bolt.Open(path, 0600, &bolt.Options{PageSize: 1024})
	must(err)
	defer db.Close()
	must(db.Update(func(tx *bolt.Tx) error {
		for _, name := range []string{"_links", "_result", "_byresult", "_backlinks"} {
			if _, err := tx.CreateBucketIfNotExists([]byte(name)); err != nil {
				return err
			}
		}
		links := tx.Bucket([]byte("_links"))
		for _, k := range s.roots {
			if _, err := links.CreateBucketIfNotExists([]byte(k)); err != nil {
				return err
			}
		}
		for _, e := range s.edges {
			b, err := links.CreateBucketIfNotExists([]byte(e.from))
			if err != nil {
				return err
			}
			dt, _ := json.Marshal(e.l)
			if err := b.Put(append(append(dt, '@'), e.to...), []byte{}); err != nil {
				return err
			}
			if s.noBacklinks {
				continue
			}
			bl, err := tx.Bucket([]byte("_backlinks")).CreateBucketIfNotExists([]byte(e.to))
			if err != nil {
				return err
			}
			if err := bl.Put([]byte(e.from), []byte{}); err != nil {
				return err
			}
		}
		for _, k := range s.values {
			if err := links.Put([]byte(k), []byte("x")); err != nil {
				return err
			}
		}
		return nil
	}))
}

// shapes: the cases by hand.
func shapes() store {
	r1, r2 := digest("root one"), digest("root two")
	// a random root sorts before every sha256: one
	rnd := "random:" + digest("session")[7:]
	x, y, p, orphan, z := "kxxxxxxxxxxxxxxxxxxxxxxxx", "0yyyyyyyyyyyyyyyyyyyyyyyy", "zpppppppppppppppppppppppp", "0orphanxxxxxxxxxxxxxxxxxx", "mzzzzzzzzzzzzzzzzzzzzzzzz"
	op := digest("op x")
	var s store
	s.roots = []string{r1, r2, rnd}
	s.edges = []edge{
		// x: from the random root, from r1, and from p, which only r2 reaches (numbered after x)
		{rnd, x, link{Input: 0, Digest: op}},
		{r1, x, link{Input: 0, Digest: op}},
		{p, x, link{Input: 1, Digest: op, Selector: digest("sel")}},
		{p, x, link{Input: 1, Digest: op}},
		{r2, p, link{Digest: digest("op p")}},
		// an orphan no root reaches links to x: not a parent
		{orphan, x, link{Input: 2, Digest: op}},
		// y: two parents that tie (same input, same link digest)
		{x, y, link{Digest: digest("op y"), Output: 1}},
		{r2, y, link{Digest: digest("op y"), Output: 1}},
		// r1 is also a child (a root reached from another root)
		{rnd, r1, link{Digest: digest("op r1")}},
		// children of one key on several outputs, with selectors
		{x, z, link{Digest: digest("op z"), Output: 2}},
		{x, z, link{Input: 1, Digest: digest("op z"), Output: 2, Selector: digest("s2")}},
	}
	// a key named like a root that is a value, not a bucket: not a record
	s.values = []string{digest("a value")}
	return s
}

// random: a DAG over N keys, links from earlier to later keys in a
// shuffled order, some keys roots, some keys no root reaches.
func random(n int, seed int64) store {
	r := rand.New(rand.NewSource(seed))
	keys := make([]string, n)
	isRoot := make([]bool, n)
	var s store
	for i := range keys {
		switch {
		case i < n/10 || r.Intn(12) == 0:
			isRoot[i] = true
			if r.Intn(4) == 0 {
				keys[i] = "random:" + digest(fmt.Sprint("r", seed, i))[7:]
			} else {
				keys[i] = digest(fmt.Sprint("k", seed, i))
			}
			s.roots = append(s.roots, keys[i])
		default:
			keys[i] = id(r)
		}
	}
	ops := make([]string, 8)
	for i := range ops {
		ops[i] = digest(fmt.Sprint("op", i))
	}
	for i := 1; i < n; i++ {
		if isRoot[i] && r.Intn(3) != 0 {
			continue
		}
		parents := 1 + r.Intn(3)
		out := r.Intn(2)
		op := ops[r.Intn(len(ops))]
		for k := 0; k < parents; k++ {
			l := link{Input: r.Intn(2), Output: out, Digest: op}
			if r.Intn(3) == 0 {
				l.Selector = digest(fmt.Sprint("sel", r.Intn(4)))
			}
			s.edges = append(s.edges, edge{keys[r.Intn(i)], keys[i], l})
		}
	}
	return s
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: stores DIR")
		os.Exit(2)
	}
	out := os.Args[1]
	write(filepath.Join(out, "shapes"), shapes())
	for seed := int64(1); seed <= 4; seed++ {
		write(filepath.Join(out, fmt.Sprintf("random-%d", seed)), random(400, seed))
	}
	noback := random(60, 9)
	noback.noBacklinks = true
	write(filepath.Join(out, "no-backlinks"), noback)
	// a cycle: the first rows can be drawn, the whole load refuses the store
	cycle := shapes()
	cycle.edges = append(cycle.edges, edge{"kxxxxxxxxxxxxxxxxxxxxxxxx", digest("root two"), link{Digest: digest("op r2")}})
	write(filepath.Join(out, "cycle"), cycle)
}
