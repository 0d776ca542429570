// Command ferretdb-embedded runs FerretDB v1 with its SQLite backend.
// FerretDB is a dependency here (not the main module), which skips the
// version.txt check that panics in a plain `go install` of cmd/ferretdb.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func query(v url.Values) string {
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

func main() {
	addr := flag.String("listen-addr", "127.0.0.1:27017", "TCP address to listen on")
	dir := flag.String("data-dir", "./data/ferretdb", "directory for the SQLite files")
	// FerretDB sets busy_timeout, journal_mode=wal and auto_vacuum itself; this adds others
	// (synchronous=normal) to every connection of its pool.
	pragmas := url.Values{}
	flag.Func("sqlite-pragma", "SQLite pragma as name(value), e.g. synchronous(normal); repeatable", func(v string) error {
		pragmas.Add("_pragma", v)
		return nil
	})
	flag.Parse()

	// FerretDB allocates much per command: collecting at three times the live heap instead of
	// twice halves the collector's work for a few MB more. GOGC, when set, still decides.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}

	abs, err := filepath.Abs(*dir)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		log.Fatal(err)
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *addr},
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/" + query(pragmas),
	})
	if err != nil {
		log.Fatal(err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	fmt.Printf("ferretdb listening on %s, data in %s\n", *addr, abs)
	f.Run(ctx)
}
