// An ext_authz v3 gRPC server that decides with OPA's Go evaluator the way the OPA-Envoy plugin
// does, for the benchmark only: the plugin itself is not served by the Go module proxy this project
// provisions from, so this stands in for it. Per Check it does what the plugin's hot path does:
// CheckRequest → generic input map (every field, by JSON name) plus parsed_path, parsed_query and
// parsed_body; ast.InterfaceToValue; a read transaction on the store; the prepared query evaluated
// with fresh metrics; a decision id; the result object mapped to an ok or denied response.
package main

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"net"
	"os"
	"strings"

	authv3 "github.com/envoyproxy/go-control-plane/envoy/service/auth/v3"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/loader"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"google.golang.org/grpc"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9191", "gRPC listen address")
	policyDir := flag.String("policy", "", "directory of Rego and data.json (*_test.rego ignored), as opa run would load it")
	query := flag.String("query", "data.envoy.authz.result", "decision query, like the plugin's path envoy/authz/result")
	flag.Parse()
	if *policyDir == "" {
		fmt.Fprintln(os.Stderr, "usage: opa-envoy-bench --policy DIR [--addr HOST:PORT] [--query Q]")
		os.Exit(2)
	}
	authorizer, err := newAuthorizer(context.Background(), *policyDir, *query)
	if err != nil {
		log.Fatalf("loading policy: %v", err)
	}
	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("listen %s: %v", *addr, err)
	}
	server := grpc.NewServer()
	authv3.RegisterAuthorizationServer(server, authorizer)
	// One line on stdout once listening: the harness waits for it.
	fmt.Printf("listening %s\n", listener.Addr())
	if err := server.Serve(listener); err != nil {
		log.Fatalf("serve: %v", err)
	}
}

type authorizer struct {
	authv3.UnimplementedAuthorizationServer
	store storage.Store
	query rego.PreparedEvalQuery
}

func newAuthorizer(ctx context.Context, dir, query string) (*authorizer, error) {
	loaded, err := loader.NewFileLoader().Filtered([]string{dir}, func(_ string, info fs.FileInfo, _ int) bool {
		return !info.IsDir() && strings.HasSuffix(info.Name(), "_test.rego")
	})
	if err != nil {
		return nil, err
	}
	store := inmem.NewFromObject(loaded.Documents)
	compiler := ast.NewCompiler()
	if compiler.Compile(loaded.ParsedModules()); compiler.Failed() {
		return nil, compiler.Errors
	}
	body, err := ast.ParseBody(query)
	if err != nil {
		return nil, err
	}
	prepared, err := rego.New(rego.ParsedQuery(body), rego.Compiler(compiler), rego.Store(store)).PrepareForEval(ctx)
	if err != nil {
		return nil, err
	}
	return &authorizer{store: store, query: prepared}, nil
}
