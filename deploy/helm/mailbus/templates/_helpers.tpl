{{/* Chart name, truncated to the 63 characters of a DNS label. */}}
{{- define "mailbus.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-qualified name; the per-service objects append the service name. */}}
{{- define "mailbus.fullname" -}}
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

{{/* Name of one service's objects: dict "root" $ "service" "fetcher". */}}
{{- define "mailbus.serviceFullname" -}}
{{- printf "%s-%s" (include "mailbus.fullname" .root | trunc (int (sub 62 (len .service)))) .service | trimSuffix "-" }}
{{- end }}

{{- define "mailbus.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "mailbus.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: mailbus
{{- end }}

{{/* Labels of one service's objects: dict "root" $ "service" "fetcher". */}}
{{- define "mailbus.serviceLabels" -}}
{{ include "mailbus.labels" .root }}
app.kubernetes.io/component: {{ .service }}
{{- end }}

{{/* Selector of one service's pods: dict "root" $ "service" "fetcher". */}}
{{- define "mailbus.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mailbus.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .service }}
{{- end }}

{{- define "mailbus.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{- define "mailbus.secretName" -}}
{{- default (printf "%s-secrets" (include "mailbus.fullname" .)) .Values.secrets.existingSecret }}
{{- end }}

{{- define "mailbus.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "mailbus.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Secret keys each service reads (README "Configuration"): every service NATS_URL and MONGODB_URL;
the services that seal or open account passwords MAILBUS_SECRET_KEY; the api MAILBUS_API_TOKENS.
*/}}
{{- define "mailbus.secretEnv" -}}
{{- $keys := list "NATS_URL" "MONGODB_URL" }}
{{- if has . (list "account-registry" "fetcher" "smtp-sender" "spam-feedback") }}
{{- $keys = append $keys "MAILBUS_SECRET_KEY" }}
{{- end }}
{{- if eq . "api" }}
{{- $keys = append $keys "MAILBUS_API_TOKENS" }}
{{- end }}
{{- join "," $keys }}
{{- end }}

{{/* The services that talk to mail servers (egress to mail ports). */}}
{{- define "mailbus.mailClients" -}}
{{- list "account-registry" "fetcher" "smtp-sender" "spam-feedback" | join "," }}
{{- end }}

{{/* The environment variable that carries a service's HTTP port. */}}
{{- define "mailbus.portEnv" -}}
{{- if eq . "api" }}API_PORT{{ else }}HTTP_PORT{{ end }}
{{- end }}
