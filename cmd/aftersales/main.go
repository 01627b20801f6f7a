// Command aftersales runs the localized after-sales service product: the web
// application and API, and the administration commands beside it.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"aftersales/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
