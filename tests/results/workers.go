// Command workers turns a fixture's cache.db into a daemon root with worker
// metadata, written by the real bbolt library, as BuildKit lays them out:
//
//	workers -from FIXTURE_DIR -out ROOT -layout dockerd|buildkitd
//
// dockerd: ROOT/cache.db whose results are "moby::<record>", and
// ROOT/metadata_v2.db beside it. buildkitd: results of two workers, each
// with its own ROOT/runc-overlayfs/ or ROOT/containerd-overlayfs/ folder
// holding metadata_v2.db and workerid. Every record gets what
// cache/metadata keeps (a description, a type, a size, a parent chain,
// times, a usage count); one local source has a mutable twin, as
// BuildKit makes them, and one cache mount is no key's result.
//
// It also writes what the daemon's own disk usage would list for these
// records, the oracle for `cachescope du` and `stats`:
// ROOT/expected-du.json (the /system/df BuildCache fields, one object per
// listed record, sorted by ID) and ROOT/expected-totals.txt (stats' lines).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

func must(err error) {
	if err != nil {
		panic(err)
	}
}

type record struct {
	id, worker, description, recordType, parent, equalMutable string
	size, usage                                            int64
	created, lastUsed                                      time.Time
	committed                                              bool
}

// value is how cache/metadata stores a value: {"value": ...}, with an index for some.
func value(v interface{}) []byte {
	b, err := json.Marshal(map[string]interface{}{"value": v})
	must(err)
	return b
}

func writeMetadata(path string, records []*record) {
	must(os.MkdirAll(filepath.Dir(path), 0755))
	db, err := bolt.Open(path, 0600, nil)
	must(err)
	must(db.Update(func(tx *bolt.Tx) error {
		main, err := tx.CreateBucketIfNotExists([]byte("_main"))
		must(err)
		index, err := tx.CreateBucketIfNotExists([]byte("_index"))
		must(err)
		for _, r := range records {
			b, err := main.CreateBucket([]byte(r.id))
			must(err)
			put := func(k string, v []byte) { must(b.Put([]byte(k), v)) }
			put("cache.cachePolicy", value(1))
			put("cache.createdAt", value(r.created.UnixNano()))
			put("cache.lastUsedAt", value(r.lastUsed.UnixNano()))
			put("cache.usageCount", value(r.usage))
			if r.description != "" {
				put("cache.description", value(r.description))
			}
			if r.recordType != "" {
				put("cache.recordType", value(r.recordType))
			}
			if r.parent != "" {
				put("cache.parent", value(r.parent))
			}
			// BuildKit writes an empty value when a record has no twin
			if r.equalMutable != "" {
				put("cache.equalMutable", value(r.equalMutable))
			} else {
				put("cache.equalMutable", []byte{})
			}
			if r.committed {
				put("snapshot.committed", value(true))
				put("snapshot.size", value(r.size))
			}
			// keys a reader must skip: an index entry, a blob chain, a protobuf sidecar
			put("cache.blobChainID", []byte(`{"value":"sha256:0000000000000000000000000000000000000000000000000000000000000000","index":"blobchainid:x"}`))
			must(index.Put([]byte("chainid:sha256:x::"+r.id), []byte{}))
		}
		ext, err := tx.CreateBucketIfNotExists([]byte("_external"))
		must(err)
		b, err := ext.CreateBucketIfNotExists([]byte(records[0].id))
		must(err)
		return b.Put([]byte("buildkit.contenthash.v0"), []byte{0x0a, 0x04, 0x12, 0x02, 0x10, 0x01})
	}))
	must(db.Close())
}

func copyFile(from, to string) {
	in, err := os.Open(from)
	must(err)
	defer in.Close()
	out, err := os.Create(to)
	must(err)
	_, err = io.Copy(out, in)
	must(err)
	must(out.Close())
}

type result struct{ key, resultKey string }

// The results of the fixture's cache.db, in bbolt's key order.
func results(db *bolt.DB) []result {
	var out []result
	must(db.View(func(tx *bolt.Tx) error {
		rb := tx.Bucket([]byte("_result"))
		if rb == nil {
			return nil
		}
		return rb.ForEach(func(k, v []byte) error {
			if v != nil {
				return nil
			}
			return rb.Bucket(k).ForEach(func(rk, _ []byte) error {
				out = append(out, result{string(k), string(rk)})
				return nil
			})
		})
	}))
	return out
}

func main() {
	from := flag.String("from", "", "fixture folder")
	out := flag.String("out", "", "daemon root to write")
	layout := flag.String("layout", "dockerd", "dockerd or buildkitd")
	flag.Parse()
	must(os.MkdirAll(*out, 0755))
	dbPath := filepath.Join(*out, "cache.db")
	copyFile(filepath.Join(*from, "cache.db"), dbPath)

	workers := []string{"moby"}
	if *layout == "buildkitd" {
		workers = []string{"h8gq1pcrkb3wz0g2w4v2mbyo1", "n5y0w6qdl2gk4h1ex7zq3tfma"}
	}
	db, err := bolt.Open(dbPath, 0600, nil)
	must(err)
	res := results(db)
	base := time.Date(2026, 11, 30, 9, 0, 0, 123456789, time.UTC)
	var records []*record
	byWorker := map[string][]*record{}
	last := map[string]string{}
	// each result a record of a worker (alternating with two), each on the one before (a chain)
	must(db.Update(func(tx *bolt.Tx) error {
		rb := tx.Bucket([]byte("_result"))
		for i, r := range res {
			w := workers[i%len(workers)]
			id := fmt.Sprintf("r%02drec%019d", i, i)
			rec := &record{
				id: id, worker: w,
				description: fmt.Sprintf("mount / from exec /bin/sh -c step %d > /out", i),
				parent:      last[w],
				size:        int64(1000*(i+1) + 7),
				usage:       int64(i%3 + 1),
				created:     base.Add(time.Duration(i) * time.Minute),
				lastUsed:    base.Add(time.Duration(i)*time.Minute + 30*time.Second),
				committed:   true,
			}
			if i == 0 {
				rec.description, rec.recordType, rec.parent = "local source for context", "source.local", ""
			}
			if i == 1 {
				rec.description = "fileop target"
			}
			// used again by a later build: the last-used order is not the size order
			if i == 2 {
				rec.lastUsed = base.Add(3 * time.Hour)
			}
			last[w] = id
			records = append(records, rec)
			byWorker[w] = append(byWorker[w], rec)
			must(rb.Bucket([]byte(r.key)).Put([]byte(r.resultKey),
				[]byte(fmt.Sprintf(`{"CreatedAt":%q,"ID":"%s::%s"}`, rec.created.Format(time.RFC3339Nano), w, id))))
		}
		return nil
	}))
	must(db.Close())
	// the first record is a local source's immutable copy: its mutable twin stands for it
	twin := &record{
		id: "twin" + strings.Repeat("0", 21), worker: workers[0], description: "local source for context",
		recordType: "source.local", usage: 2, created: base.Add(-time.Minute), lastUsed: base.Add(time.Hour),
	}
	records[0].equalMutable = twin.id
	// a cache mount: no key's result, still on disk
	mount := &record{
		id: "mount" + strings.Repeat("0", 20), worker: workers[len(workers)-1],
		description: "cached mount /root/.cache from exec /bin/sh -c go build", recordType: "exec.cachemount",
		size: 5 << 20, usage: 4, created: base, lastUsed: base.Add(2 * time.Hour), committed: true,
	}
	for _, r := range []*record{twin, mount} {
		records = append(records, r)
		byWorker[r.worker] = append(byWorker[r.worker], r)
	}
	for _, w := range workers {
		if *layout == "dockerd" {
			writeMetadata(filepath.Join(*out, "metadata_v2.db"), byWorker[w])
			continue
		}
		dir := filepath.Join(*out, "runc-overlayfs")
		if w != workers[0] {
			dir = filepath.Join(*out, "containerd-overlayfs")
		}
		writeMetadata(filepath.Join(dir, "metadata_v2.db"), byWorker[w])
		must(os.WriteFile(filepath.Join(dir, "workerid"), []byte(w+"\n"), 0644))
	}
	writeExpected(*out, records)
}

// What BuildKit's DiskUsage lists: no record a mutable twin stands for; the twin has its size.
func writeExpected(out string, records []*record) {
	type usage struct {
		ID          string
		Parent      *string
		Type        string
		Description *string
		Size        int64
		CreatedAt   string
		LastUsedAt  string
		UsageCount  int64
	}
	sizes := map[string]int64{}
	for _, r := range records {
		if r.equalMutable != "" {
			sizes[r.equalMutable] = r.size
		}
	}
	var list []usage
	totals := map[string][2]int64{}
	var total int64
	for _, r := range records {
		if r.equalMutable != "" {
			continue
		}
		size := r.size
		if !r.committed {
			size = sizes[r.id]
		}
		typ := r.recordType
		if typ == "" {
			typ = "regular"
		}
		u := usage{ID: r.id, Type: typ, Size: size, UsageCount: r.usage,
			CreatedAt: r.created.Format(time.RFC3339Nano), LastUsedAt: r.lastUsed.Format(time.RFC3339Nano)}
		if r.parent != "" {
			p := r.parent
			u.Parent = &p
		}
		if r.description != "" {
			d := r.description
			u.Description = &d
		}
		list = append(list, u)
		t := totals[typ]
		totals[typ] = [2]int64{t[0] + size, t[1] + 1}
		total += size
	}
	sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	b, err := json.MarshalIndent(list, "", "  ")
	must(err)
	must(os.WriteFile(filepath.Join(out, "expected-du.json"), append(b, '\n'), 0644))
	var lines []string
	for typ, t := range totals {
		lines = append(lines, fmt.Sprintf("%s %d %d", typ, t[0], t[1]))
	}
	sort.Strings(lines)
	lines = append([]string{fmt.Sprintf("total %d %d", total, len(list))}, lines...)
	must(os.WriteFile(filepath.Join(out, "expected-totals.txt"), []byte(strings.Join(lines, "\n")+"\n"), 0644))
}
