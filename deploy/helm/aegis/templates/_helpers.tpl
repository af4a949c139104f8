{{/* Names and labels, in the shape `helm create` users know. */}}
{{- define "aegis.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "aegis.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "aegis.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "aegis.selectorLabels" -}}
app.kubernetes.io/name: {{ include "aegis.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "aegis.labels" -}}
helm.sh/chart: {{ include "aegis.chart" . }}
{{ include "aegis.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: policy-decision-point
{{- end }}

{{- define "aegis.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "aegis.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "aegis.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{/* Where things live in the container. The root file system is read-only; only /var/lib/aegis and /tmp are writable. */}}
{{- define "aegis.configDir" -}}/etc/aegis/config{{- end }}
{{- define "aegis.bundleDir" -}}/etc/aegis/bundle{{- end }}
{{- define "aegis.dataDir" -}}/var/lib/aegis{{- end }}
{{- define "aegis.overrideTokenDir" -}}/etc/aegis/override-token{{- end }}
{{- define "aegis.bundleKeyDir" -}}/etc/aegis/keys/bundle{{- end }}
{{- define "aegis.auditKeyDir" -}}/etc/aegis/keys/audit{{- end }}
{{- define "aegis.callChainKeyDir" -}}/etc/aegis/keys/call-chain{{- end }}

{{- define "aegis.bundleConfigMapName" -}}
{{- default (printf "%s-bundle" (include "aegis.fullname" .)) .Values.bundle.configMap.name }}
{{- end }}

{{- define "aegis.overrideTokenSecretName" -}}
{{- default (printf "%s-override-token" (include "aegis.fullname" .)) .Values.overrideTokenSecret.existingSecret }}
{{- end }}

{{- define "aegis.bundleSource" -}}
{{- if .Values.bundle.url }}
{{- .Values.bundle.url }}
{{- else if .Values.bundle.volume }}
{{- printf "%s/%s" (include "aegis.bundleDir" .) .Values.bundle.file }}
{{- else }}
{{- printf "%s/%s" (include "aegis.bundleDir" .) .Values.bundle.configMap.key }}
{{- end }}
{{- end }}

{{/* The most pods that may run at once: what the state store must be shared across. */}}
{{- define "aegis.maxReplicas" -}}
{{- if .Values.autoscaling.enabled }}{{ int .Values.autoscaling.maxReplicas }}{{ else }}{{ int .Values.replicaCount }}{{ end }}
{{- end }}

{{/*
Refuses values that would deploy something broken. Each message says what to change.
*/}}
{{- define "aegis.validate" -}}
{{- $replicas := int (include "aegis.maxReplicas" .) }}
{{- $sharedState := or (hasPrefix "redis://" .Values.state.url) (hasPrefix "rediss://" .Values.state.url) (ne .Values.state.existingSecret "") }}
{{- if and (gt $replicas 1) (not $sharedState) }}
{{- fail (printf "replicaCount/autoscaling allow %d pods but state is per-pod SQLite: set state.url to redis://HOST:PORT (or state.existingSecret to a Secret holding a redis:// URL), so replicas share budgets, approvals and override tokens" $replicas) }}
{{- end }}
{{- if and .Values.persistence.enabled (gt $replicas 1) }}
{{- fail "persistence.enabled needs a single replica (a ReadWriteOnce volume on one pod); with replicas, keep state in Redis and leave persistence off" }}
{{- end }}
{{- if and .Values.bundle.url .Values.bundle.volume }}
{{- fail "set only one bundle source: bundle.url or bundle.volume (or neither, for the bundle ConfigMap)" }}
{{- end }}
{{- if and .Values.bundle.url (not (regexMatch "^https?://" .Values.bundle.url)) }}
{{- fail (printf "bundle.url must be an http(s) URL, got %q; mount local bundles with bundle.configMap or bundle.volume" .Values.bundle.url) }}
{{- end }}
{{- if and .Values.bundle.requireSignature (not .Values.bundle.verificationKey.existingSecret) }}
{{- fail "bundle.requireSignature needs bundle.verificationKey.existingSecret" }}
{{- end }}
{{- $stopMs := add (int .Values.shutdownDelayMs) (int .Values.shutdownGraceMs) 5000 }}
{{- if le (mul (int .Values.terminationGracePeriodSeconds) 1000) $stopMs }}
{{- fail (printf "terminationGracePeriodSeconds (%d s) must exceed shutdownDelayMs + shutdownGraceMs + 5 s (%d ms), or the kubelet kills aegis mid-drain" (int .Values.terminationGracePeriodSeconds) $stopMs) }}
{{- end }}
{{- if and .Values.callChain.tenants (not .Values.callChain.keysSecret) }}
{{- fail "callChain.tenants needs callChain.keysSecret, the Secret holding one key per tenant" }}
{{- end }}
{{- if and .Values.decisionLog.auditSigningKey.existingSecret (not .Values.decisionLog.enabled) }}
{{- fail "decisionLog.auditSigningKey signs decision-log checkpoints: enable decisionLog too" }}
{{- end }}
{{- end }}

{{/*
aegis.yaml (schemas/config.schema.json): what the values say, then .Values.config merged over it.
Integers go through int so large ones never render in float notation.
*/}}
{{- define "aegis.config" -}}
{{- $v := .Values }}
{{- $bundle := dict "source" (include "aegis.bundleSource" .) "poll_interval_ms" (int $v.bundle.pollIntervalMs) "require_signature" $v.bundle.requireSignature }}
{{- if $v.bundle.verificationKey.existingSecret }}
{{- $_ := set $bundle "verification_key" (printf "%s/%s" (include "aegis.bundleKeyDir" .) $v.bundle.verificationKey.key) }}
{{- end }}
{{- if $v.bundle.keyId }}
{{- $_ := set $bundle "key_id" $v.bundle.keyId }}
{{- end }}
{{- $identity := dict "trust_headers" $v.identity.trustHeaders }}
{{- if $v.identity.jwt }}{{ $_ := set $identity "jwt" $v.identity.jwt }}{{ end }}
{{- if $v.identity.spiffe }}{{ $_ := set $identity "spiffe" $v.identity.spiffe }}{{ end }}
{{- $chainKeys := dict }}
{{- range $v.callChain.tenants }}
{{- $_ := set $chainKeys . (printf "%s/%s" (include "aegis.callChainKeyDir" $) .) }}
{{- end }}
{{- $approvals := dict "token_ttl_seconds" (int $v.approvals.tokenTtlSeconds) "token_secret_file" (printf "%s/%s" (include "aegis.overrideTokenDir" .) $v.overrideTokenSecret.key) }}
{{- if $v.approvals.publicUrl }}{{ $_ := set $approvals "public_url" $v.approvals.publicUrl }}{{ end }}
{{- $config := dict
  "grpc" (dict "addr" (printf ":%d" (int $v.containerPorts.grpc)))
  "http" (dict "addr" (printf ":%d" (int $v.containerPorts.http)))
  "bundle" $bundle
  "engine" (dict "workers" (int $v.engine.workers))
  "identity" $identity
  "call_chain" (dict "keys" $chainKeys "max_age_seconds" (int $v.callChain.maxAgeSeconds))
  "approvals" $approvals
  "shutdown_grace_ms" (int $v.shutdownGraceMs)
  "shutdown_delay_ms" (int $v.shutdownDelayMs)
  "log_level" $v.logLevel }}
{{- if not $v.state.existingSecret }}
{{- $_ := set $config "state" (default (printf "sqlite:%s/aegis.db" (include "aegis.dataDir" .)) $v.state.url) }}
{{- end }}
{{- if $v.decisionLog.enabled }}
{{- $log := dict "path" (ternary "-" (printf "%s/%s" (include "aegis.dataDir" .) $v.decisionLog.path) (eq $v.decisionLog.path "-")) "overflow" $v.decisionLog.overflow "include_allows" $v.decisionLog.includeAllows }}
{{- if $v.decisionLog.auditSigningKey.existingSecret }}
{{- $_ := set $log "audit_signing_key" (printf "%s/%s" (include "aegis.auditKeyDir" .) $v.decisionLog.auditSigningKey.key) }}
{{- end }}
{{- $_ := set $config "decision_log" $log }}
{{- end }}
{{- toYaml (mustMergeOverwrite $config (deepCopy $v.config)) }}
{{- end }}
