#!/usr/bin/env python3
"""The floor under the side-by-side harness's detection figure (../shared/peers/rollout-bench.py).

The harness times each canary's detection from just before its `kubectl set image` (16 threads at
once) to the first Progressing seen on a `kubectl get -w` stream. This script runs the same release
with no operator at all and times, per Deployment, (a) the `kubectl set image` call itself and
(b) from before the call to the new generation seen on a `kubectl get deploy -w` stream. No
operator can detect a release before (b): it is the floor of the harness's detection figure.
usage (a cluster up, KUBECONFIG set, as the harness's cluster.sh starts one):
  release-floor.py --n 300
"""
import argparse, json, os, subprocess, threading, time
from concurrent.futures import ThreadPoolExecutor

ap = argparse.ArgumentParser()
ap.add_argument('--n', type=int, default=100)
ap.add_argument('--ns', default='floor')
a = ap.parse_args()
KUBECTL = os.environ.get('KUBECTL', 'kubectl')

def k(*args, inp=None):
    return subprocess.run([KUBECTL, *args], input=inp, text=True, capture_output=True, check=True).stdout

k('create', 'namespace', a.ns)
docs = [{'apiVersion': 'apps/v1', 'kind': 'Deployment', 'metadata': {'name': f'app{i}', 'namespace': a.ns},
         'spec': {'replicas': 1, 'selector': {'matchLabels': {'app': f'app{i}'}},
                  'template': {'metadata': {'labels': {'app': f'app{i}'}},
                               'spec': {'containers': [{'name': 'app', 'image': 'example.test/app:1'}]}}}}
        for i in range(a.n)]
k('apply', '-f', '-', inp='\n---\n'.join(json.dumps(d) for d in docs))

seen = {}
lock = threading.Lock()
def watch():
    p = subprocess.Popen([KUBECTL, '-n', a.ns, 'get', 'deployments', '-w', '-o', 'json'], stdout=subprocess.PIPE, text=True)
    dec = json.JSONDecoder(); buf = ''
    for chunk in iter(lambda: p.stdout.read(1), ''):
        buf += chunk
        if chunk != '}': continue
        try: obj, _ = dec.raw_decode(buf.strip())
        except ValueError: continue
        buf = ''
        now = time.time()
        for o in obj.get('items', [obj]):
            if o['metadata'].get('generation', 1) >= 2:
                with lock: seen.setdefault(o['metadata']['name'], now)
threading.Thread(target=watch, daemon=True).start()
time.sleep(3)

rel, took = {}, {}
def release(i):
    name = f'app{i}'
    rel[name] = time.time()
    k('-n', a.ns, 'set', 'image', f'deploy/{name}', 'app=example.test/app:2')
    took[name] = time.time() - rel[name]
with ThreadPoolExecutor(16) as ex: list(ex.map(release, range(a.n)))
deadline = time.time() + 60
while time.time() < deadline and len(seen) < a.n: time.sleep(0.2)

def pct(xs, q):
    xs = sorted(xs); return round(xs[min(len(xs) - 1, int(q * len(xs)))], 2) if xs else None
floor = [seen[n] - rel[n] for n in rel if n in seen]
print(json.dumps({'n': a.n, 'seen': len(floor), 'kubectl_p50_s': pct(list(took.values()), .5),
                  'kubectl_p99_s': pct(list(took.values()), .99), 'floor_p50_s': pct(floor, .5), 'floor_p99_s': pct(floor, .99)}))
k('delete', 'namespace', a.ns, '--wait=false')
