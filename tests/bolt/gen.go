// Command gen writes bbolt files that stress a reader: values that spill
// into overflow pages, keys long enough to make branch pages overflow,
// trees four and more branch levels deep, nested buckets both inline and
// on their own pages, page sizes from 256 bytes to 64 KiB (and one that is
// not a power of two), an empty file, and files rewritten by many
// transactions so both metas and the freelist have moved.
//
// Usage: gen DIR   (writes DIR/*.db)
//
// For each file it prints "NAME depth N": the deepest B+tree (in levels,
// a lone leaf is 1) among its buckets as bbolt's own statistics count it,
// so a test can check that the tall files really are tall.
package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
)

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func open(path string, opts *bolt.Options) *bolt.DB {
	os.Remove(path)
	db, err := bolt.Open(path, 0600, opts)
	must(err)
	return db
}

// write creates PATH with one transaction.
func write(path string, pageSize int, fill func(tx *bolt.Tx) error) {
	db := open(path, &bolt.Options{PageSize: pageSize, FreelistType: bolt.FreelistMapType})
	must(db.Update(fill))
	must(db.Close())
}

// depth is the deepest tree of any bucket in the file, nested ones included.
func depth(path string) int {
	db, err := bolt.Open(path, 0400, &bolt.Options{ReadOnly: true})
	must(err)
	defer db.Close()
	deepest := 0
	var walk func(b *bolt.Bucket)
	walk = func(b *bolt.Bucket) {
		if d := b.Stats().Depth; d > deepest {
			deepest = d
		}
		must(b.ForEach(func(k, v []byte) error {
			if v == nil {
				walk(b.Bucket(k))
			}
			return nil
		}))
	}
	must(db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(_ []byte, b *bolt.Bucket) error { walk(b); return nil })
	}))
	return deepest
}

func pattern(n, seed int) []byte {
	v := make([]byte, n)
	for j := range v {
		v[j] = byte(seed + j*7)
	}
	return v
}

// many keys: three levels with 4 KiB pages
func deep(tx *bolt.Tx) error {
	b, _ := tx.CreateBucket([]byte("many"))
	for i := 0; i < 60000; i++ {
		if err := b.Put([]byte(fmt.Sprintf("key-%08d-padding-to-make-it-longer", i)), []byte(fmt.Sprint(i))); err != nil {
			return err
		}
	}
	return nil
}

// small pages and many keys: branch pages four or more levels deep
func tall(tx *bolt.Tx) error {
	b, _ := tx.CreateBucket([]byte("tall"))
	for i := 0; i < 30000; i++ {
		if err := b.Put([]byte(fmt.Sprintf("%020d-key", i*7919%100003)), []byte{byte(i)}); err != nil {
			return err
		}
	}
	return nil
}

// values larger than a page: overflow pages, up to 1 MiB
func overflow(tx *bolt.Tx) error {
	b, _ := tx.CreateBucket([]byte("big"))
	for i := 0; i < 20; i++ {
		if err := b.Put([]byte(fmt.Sprintf("v%02d", i)), pattern(3000*(i+1), i)); err != nil {
			return err
		}
	}
	if err := b.Put([]byte("w-mebibyte"), pattern(1<<20, 99)); err != nil {
		return err
	}
	return b.Put([]byte("x-empty"), []byte{})
}

// keys near bbolt's limit (32 KiB): leaf and branch pages both overflow
func bigKeys(tx *bolt.Tx) error {
	b, _ := tx.CreateBucket([]byte("bigkeys"))
	for i := 0; i < 100; i++ {
		k := append([]byte(fmt.Sprintf("%05d", i)), bytes.Repeat([]byte{'k'}, 5000+i*270)...)
		if err := b.Put(k, []byte(fmt.Sprint(i))); err != nil {
			return err
		}
	}
	return nil
}

// nested buckets: small ones stay inline, big ones get pages; a chain
// 24 deep that alternates between the two; empty buckets
func nested(tx *bolt.Tx) error {
	top, _ := tx.CreateBucket([]byte("top"))
	for i := 0; i < 50; i++ {
		b, _ := top.CreateBucket([]byte(fmt.Sprintf("child-%02d", i)))
		n := 1
		if i%10 == 0 {
			n = 400
		}
		for j := 0; j < n; j++ {
			b.Put([]byte(fmt.Sprintf("k%04d", j)), []byte("v"))
		}
		inner, _ := b.CreateBucket([]byte("inner"))
		deeper, _ := inner.CreateBucket([]byte("deeper"))
		deeper.Put([]byte("leaf"), []byte{0, 1, 2, 0xff})
	}
	top.Put([]byte("empty value"), []byte{})
	top.CreateBucket([]byte("empty bucket"))
	chain, _ := tx.CreateBucket([]byte("chain"))
	for level := 0; level < 24; level++ {
		n := 2
		if level%3 == 2 {
			n = 300 // big enough for pages of its own
		}
		for j := 0; j < n; j++ {
			chain.Put([]byte(fmt.Sprintf("level-%02d-key-%03d", level, j)), []byte("<&>\x00\xff"))
		}
		chain, _ = chain.CreateBucket([]byte(fmt.Sprintf("level-%02d", level+1)))
	}
	// names that Go's JSON encoder escapes (and one that is not UTF-8)
	odd, _ := tx.CreateBucket([]byte("<odd>&\"\\\n\t\x01\xc3\x28\u2028"))
	sub, _ := odd.CreateBucket([]byte("\xff\xfe"))
	return sub.Put([]byte("k"), []byte("v"))
}

// one bucket at a page size: a few thousand keys of varying size
func sized(tx *bolt.Tx) error {
	b, _ := tx.CreateBucket([]byte("p"))
	for i := 0; i < 5000; i++ {
		if err := b.Put([]byte(fmt.Sprintf("%06d", i)), make([]byte, i%300)); err != nil {
			return err
		}
	}
	inline, _ := b.CreateBucket([]byte("z-inline"))
	return inline.Put([]byte("a"), []byte("b"))
}

// everything in one small file (a fuzzing seed): 256-byte pages, branch
// pages three levels deep, an overflow value, inline and paged buckets
func small(tx *bolt.Tx) error {
	a, _ := tx.CreateBucket([]byte("a"))
	for i := 0; i < 80; i++ {
		a.Put([]byte(fmt.Sprintf("key-%03d", i)), []byte{byte(i)})
	}
	a.Put([]byte("key-big"), pattern(600, 1))
	in, _ := a.CreateBucket([]byte("inline"))
	in.Put([]byte("x"), []byte("y"))
	deeper, _ := in.CreateBucket([]byte("deeper"))
	deeper.Put([]byte("z"), []byte{})
	paged, _ := a.CreateBucket([]byte("paged"))
	for i := 0; i < 30; i++ {
		paged.Put([]byte(fmt.Sprintf("p%02d", i)), []byte("value"))
	}
	return nil
}

// many transactions with puts, deletes and bucket churn: metas alternate,
// pages are freed and reused, the freelist moves
func churn(path string, opts *bolt.Options) {
	db := open(path, opts)
	for t := 0; t < 301; t++ {
		must(db.Update(func(tx *bolt.Tx) error {
			b, _ := tx.CreateBucketIfNotExists([]byte("churn"))
			for i := 0; i < 200; i++ {
				k := []byte(fmt.Sprintf("k%05d", (t*37+i)%3000))
				if (t+i)%3 == 0 {
					b.Delete(k)
				} else {
					b.Put(k, []byte(fmt.Sprintf("t%d", t)))
				}
			}
			name := []byte(fmt.Sprintf("sub-%02d", t%17))
			if t%5 == 0 {
				b.DeleteBucket(name)
			} else {
				sub, _ := b.CreateBucketIfNotExists(name)
				sub.Put([]byte(fmt.Sprint(t)), pattern(t*13, t))
			}
			return nil
		}))
	}
	must(db.Close())
}

func main() {
	dir := os.Args[1]
	files := []string{}
	add := func(name string) string {
		files = append(files, name)
		return filepath.Join(dir, name)
	}

	write(add("deep.db"), 4096, deep)
	write(add("tall.db"), 512, tall)
	write(add("overflow.db"), 4096, overflow)
	write(add("bigkeys.db"), 4096, bigKeys)
	write(add("nested.db"), 4096, nested)
	for _, ps := range []int{256, 1024, 3000, 16384, 65536} {
		write(add(fmt.Sprintf("pagesize-%d.db", ps)), ps, sized)
	}
	write(add("small.db"), 256, small)
	write(add("empty.db"), 4096, func(tx *bolt.Tx) error { return nil })
	write(add("empty-bucket.db"), 4096, func(tx *bolt.Tx) error {
		_, err := tx.CreateBucket([]byte("nothing"))
		return err
	})
	churn(add("churn.db"), &bolt.Options{FreelistType: bolt.FreelistMapType})
	churn(add("churn-nofreelistsync.db"), &bolt.Options{NoFreelistSync: true})

	for _, name := range files {
		fmt.Printf("%s depth %d\n", name, depth(filepath.Join(dir, name)))
	}
}
