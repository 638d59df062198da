// Command gen writes bbolt files that stress a reader: values that spill
// into overflow pages, trees several branch levels deep, nested buckets
// both inline and on their own pages, non-default page sizes, and a file
// rewritten by many transactions so both metas and the freelist have moved.
//
// Usage: gen DIR   (writes DIR/*.db)
package main

import (
	"fmt"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
)

func write(path string, pageSize int, fill func(tx *bolt.Tx) error) {
	os.Remove(path)
	db, err := bolt.Open(path, 0600, &bolt.Options{PageSize: pageSize, FreelistType: bolt.FreelistMapType})
	if err != nil {
		panic(err)
	}
	if err := db.Update(fill); err != nil {
		panic(err)
	}
	if err := db.Close(); err != nil {
		panic(err)
	}
}

func main() {
	dir := os.Args[1]

	// many keys: branch pages two or three levels deep
	write(filepath.Join(dir, "deep.db"), 4096, func(tx *bolt.Tx) error {
		b, _ := tx.CreateBucket([]byte("many"))
		for i := 0; i < 60000; i++ {
			if err := b.Put([]byte(fmt.Sprintf("key-%08d-padding-to-make-it-longer", i)), []byte(fmt.Sprint(i))); err != nil {
				return err
			}
		}
		return nil
	})

	// values larger than a page: overflow
	write(filepath.Join(dir, "overflow.db"), 4096, func(tx *bolt.Tx) error {
		b, _ := tx.CreateBucket([]byte("big"))
		for i := 0; i < 20; i++ {
			v := make([]byte, 3000*(i+1))
			for j := range v {
				v[j] = byte(i + j)
			}
			if err := b.Put([]byte(fmt.Sprintf("v%02d", i)), v); err != nil {
				return err
			}
		}
		return nil
	})

	// nested buckets: small ones stay inline, big ones get pages
	write(filepath.Join(dir, "nested.db"), 4096, func(tx *bolt.Tx) error {
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
		top.Put([]byte{}, []byte("empty key"))
		top.Put([]byte("empty value"), []byte{})
		return nil
	})

	// other page sizes
	for _, ps := range []int{1024, 16384} {
		write(filepath.Join(dir, fmt.Sprintf("pagesize-%d.db", ps)), ps, func(tx *bolt.Tx) error {
			b, _ := tx.CreateBucket([]byte("p"))
			for i := 0; i < 5000; i++ {
				b.Put([]byte(fmt.Sprintf("%06d", i)), make([]byte, i%300))
			}
			return nil
		})
	}

	// many transactions with deletes: metas alternate, pages are reused
	path := filepath.Join(dir, "churn.db")
	os.Remove(path)
	db, err := bolt.Open(path, 0600, &bolt.Options{FreelistType: bolt.FreelistMapType})
	if err != nil {
		panic(err)
	}
	for t := 0; t < 301; t++ {
		db.Update(func(tx *bolt.Tx) error {
			b, _ := tx.CreateBucketIfNotExists([]byte("churn"))
			for i := 0; i < 200; i++ {
				k := []byte(fmt.Sprintf("k%05d", (t*37+i)%3000))
				if (t+i)%3 == 0 {
					b.Delete(k)
				} else {
					b.Put(k, []byte(fmt.Sprintf("t%d", t)))
				}
			}
			return nil
		})
	}
	db.Close()
}
