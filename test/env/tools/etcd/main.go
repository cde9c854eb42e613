// Command etcd is the etcd server pinned by this module's go.mod; etcd's own
// module cannot be `go install`ed because of its relative replace directives.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
