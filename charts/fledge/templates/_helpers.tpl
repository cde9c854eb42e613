{{/* The chart name, shortened to fit a DNS label. */}}
{{- define "fledge.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release's full name: the release name, plus the chart name unless it already holds it. */}}
{{- define "fledge.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "fledge.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "fledge.selectorLabels" -}}
app.kubernetes.io/name: {{ include "fledge.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "fledge.labels" -}}
helm.sh/chart: {{ include "fledge.chart" . }}
{{ include "fledge.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: fledge
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "fledge.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "fledge.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "fledge.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* The Lease of a shard (list context shard): leaderElection.leaseName, suffixed with the shard's name. */}}
{{- define "fledge.leaseName" -}}
{{- $ctx := index . 0 -}}
{{- $shard := index . 1 -}}
{{- if $shard.name -}}
{{- /* Not truncated: a Lease name may be 253 characters, and two shards must never share one. */ -}}
{{- printf "%s-%s" $ctx.Values.leaderElection.leaseName $shard.name -}}
{{- else -}}
{{- $ctx.Values.leaderElection.leaseName -}}
{{- end -}}
{{- end -}}

{{/* Fails the render on settings that cannot work together. */}}
{{- define "fledge.validate" -}}
{{- if and (gt (int .Values.replicas) 1) (not .Values.leaderElection.enabled) -}}
{{- fail "replicas > 1 requires leaderElection.enabled: without it every replica would write" -}}
{{- end -}}
{{- $names := list -}}
{{- range .Values.shards -}}
{{- if has .name $names -}}
{{- fail (printf "shards: the name %q is used twice; each shard needs its own Deployment and Lease" .name) -}}
{{- end -}}
{{- $names = append $names .name -}}
{{- end -}}
{{- end -}}

{{/* The fleet controller's pods: a name of their own, so no selector of the operator's matches them. */}}
{{- define "fledge.fleetSelectorLabels" -}}
app.kubernetes.io/name: {{ include "fledge.name" . }}-fleet
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "fledge.fleetLabels" -}}
helm.sh/chart: {{ include "fledge.chart" . }}
{{ include "fledge.fleetSelectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: fleet-controller
app.kubernetes.io/part-of: fledge
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}
