// kstatus reads Kubernetes objects as JSON (one per line on stdin) and prints, per object, the
// status Flux's health checks compute for it with sigs.k8s.io/cli-utils/pkg/kstatus: the same
// library kustomize-controller and helm-controller use to wait for resources.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

type answer struct {
	Status  string `json:"status"`
	Message string `json:"message"`
	Error   string `json:"error,omitempty"`
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 0, 1<<20), 16<<20)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		// The apimachinery decoder keeps integers as int64, as the client libraries hand them over.
		obj := &unstructured.Unstructured{}
		if err := obj.UnmarshalJSON(in.Bytes()); err != nil {
			fmt.Fprintln(os.Stderr, "kstatus: not a Kubernetes object:", err)
			os.Exit(2)
		}
		res, err := status.Compute(obj)
		a := answer{}
		if err != nil {
			a.Error = err.Error()
		} else {
			a.Status, a.Message = res.Status.String(), res.Message
		}
		if err := out.Encode(a); err != nil {
			os.Exit(1)
		}
	}
}
