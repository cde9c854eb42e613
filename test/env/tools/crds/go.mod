module fledge.dev/testenv/crds

go 1.26.0

// The providers' own modules, pinned for their CRD YAML only (nothing here is built):
// test/env/tools/fetch-crds.sh copies the files it names out of the module cache.
require (
	github.com/kedacore/keda/v2 v2.21.0
	github.com/projectcontour/contour v1.33.8
	github.com/traefik/traefik/v3 v3.7.13
	istio.io/api v1.32.0
	sigs.k8s.io/gateway-api v1.6.3
)
