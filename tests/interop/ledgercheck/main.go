// ledgercheck reads one of our ledger logs with Go's golang.org/x/mod/sumdb packages (an independent
// implementation): it verifies the checkpoint with sumdb/note, authenticates our tile files with
// tlog.TileHashReader, recomputes the tree hash, and checks inclusion of every entry and consistency with
// every older checkpoint given, using sumdb/tlog's own proofs.
//
// Usage: ledgercheck LOGDIR VKEY ORIGIN [OLDER-CHECKPOINT-FILE...]
// LOGDIR may also be a peer node's log URL (http://HOST:PORT/logs/CODE, issue 10): the checkpoint and hash
// tiles are then read over HTTP (a node serves them publicly with --public-status); entry bundles, which carry
// sealed records and need a signed request, are not read, so inclusion of entries is not checked then.
// Prints "ok SIZE ROOT" and exits 0, or prints the error and exits 1.
package main

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type folder struct{ dir string }

func (f folder) Height() int { return 8 }

func (f folder) remote() bool {
	return strings.HasPrefix(f.dir, "http://") || strings.HasPrefix(f.dir, "https://")
}

// read returns a log file by its tlog-tiles path, from the folder or over HTTP (200 only, at most 1 MiB).
func (f folder) read(rel string) ([]byte, error) {
	if !f.remote() {
		return os.ReadFile(filepath.Join(f.dir, rel))
	}
	resp, err := http.Get(strings.TrimSuffix(f.dir, "/") + "/" + rel)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", rel, resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 1<<20))
}

// path maps Go's tile/8/L/N[.p/W] (and tile/8/data/...) onto tlog-tiles' tile/L/N[.p/W] and tile/entries/...
func (f folder) path(t tlog.Tile) string {
	p := strings.TrimPrefix(t.Path(), "tile/8/")
	p = strings.Replace(p, "data/", "entries/", 1)
	return "tile/" + p
}

func (f folder) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		data, err := f.read(f.path(t))
		if err != nil {
			return nil, err
		}
		out[i] = data
	}
	return out, nil
}

func (f folder) SaveTiles([]tlog.Tile, [][]byte) {}

func openCheckpoint(data []byte, verifier note.Verifier, origin string) (tlog.Tree, error) {
	n, err := note.Open(data, note.VerifierList(verifier))
	if err != nil {
		return tlog.Tree{}, err
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) != 4 || lines[0] != origin || lines[3] != "" {
		return tlog.Tree{}, fmt.Errorf("malformed checkpoint body %q", n.Text)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || strconv.FormatInt(size, 10) != lines[1] {
		return tlog.Tree{}, fmt.Errorf("bad size %q", lines[1])
	}
	h, err := tlog.ParseHash(lines[2])
	if err != nil {
		return tlog.Tree{}, err
	}
	return tlog.Tree{N: size, Hash: h}, nil
}

func entries(f folder, tree tlog.Tree) ([][]byte, error) {
	var out [][]byte
	for n := int64(0); n*256 < tree.N; n++ {
		w := tree.N - n*256
		if w > 256 {
			w = 256
		}
		t := tlog.Tile{H: 8, L: -1, N: n, W: int(w)}
		data, err := f.read(f.path(t))
		if err != nil {
			return nil, err
		}
		for i := int64(0); i < w; i++ {
			if len(data) < 2 {
				return nil, fmt.Errorf("bundle %s too short", f.path(t))
			}
			l := int(binary.BigEndian.Uint16(data))
			if len(data) < 2+l {
				return nil, fmt.Errorf("bundle %s too short", f.path(t))
			}
			out = append(out, data[2:2+l])
			data = data[2+l:]
		}
		if len(data) != 0 {
			return nil, fmt.Errorf("bundle %s has trailing bytes", f.path(t))
		}
	}
	return out, nil
}

func run() error {
	if len(os.Args) < 4 {
		return fmt.Errorf("usage: ledgercheck LOGDIR VKEY ORIGIN [OLDER...]")
	}
	f := folder{os.Args[1]}
	verifier, err := note.NewVerifier(os.Args[2])
	if err != nil {
		return err
	}
	origin := os.Args[3]
	data, err := f.read("checkpoint")
	if err != nil {
		return err
	}
	tree, err := openCheckpoint(data, verifier, origin)
	if err != nil {
		return err
	}
	hr := tlog.TileHashReader(tree, f)
	root, err := tlog.TreeHash(tree.N, hr)
	if err != nil {
		return err
	}
	if root != tree.Hash {
		return fmt.Errorf("tree hash mismatch")
	}
	var recs [][]byte
	if !f.remote() {
		recs, err = entries(f, tree)
		if err != nil {
			return err
		}
	}
	for i, rec := range recs {
		p, err := tlog.ProveRecord(tree.N, int64(i), hr)
		if err != nil {
			return err
		}
		if err := tlog.CheckRecord(p, tree.N, tree.Hash, int64(i), tlog.RecordHash(rec)); err != nil {
			return fmt.Errorf("entry %d: %v", i, err)
		}
	}
	for _, older := range os.Args[4:] {
		data, err := os.ReadFile(older)
		if err != nil {
			return err
		}
		old, err := openCheckpoint(data, verifier, origin)
		if err != nil {
			return fmt.Errorf("%s: %v", older, err)
		}
		p, err := tlog.ProveTree(tree.N, old.N, hr)
		if err != nil {
			return err
		}
		if err := tlog.CheckTree(p, tree.N, tree.Hash, old.N, old.Hash); err != nil {
			return fmt.Errorf("%s: %v", older, err)
		}
	}
	fmt.Printf("ok %d %s\n", tree.N, base64.StdEncoding.EncodeToString(tree.Hash[:]))
	return nil
}

func main() {
	if err := run(); err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
}
