{{/*
Chart name, truncated to the 63 characters Kubernetes names allow.
*/}}
{{- define "figureforge.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name: release-chart unless the release name already contains the chart name.
*/}}
{{- define "figureforge.fullname" -}}
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

{{- define "figureforge.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels on every object.
*/}}
{{- define "figureforge.labels" -}}
helm.sh/chart: {{ include "figureforge.chart" . }}
{{ include "figureforge.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: figureforge
{{- end }}

{{- define "figureforge.selectorLabels" -}}
app.kubernetes.io/name: {{ include "figureforge.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Per-role names and labels. Call with (dict "root" $ "role" "api").
*/}}
{{- define "figureforge.roleName" -}}
{{- printf "%s-%s" (include "figureforge.fullname" .root | trunc 56 | trimSuffix "-") .role }}
{{- end }}

{{- define "figureforge.roleLabels" -}}
{{ include "figureforge.labels" .root }}
app.kubernetes.io/component: {{ .role }}
{{- end }}

{{- define "figureforge.roleSelectorLabels" -}}
{{ include "figureforge.selectorLabels" .root }}
app.kubernetes.io/component: {{ .role }}
{{- end }}

{{- define "figureforge.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "figureforge.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "figureforge.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
Temporal credentials as container env and volumes, for the app and the setup hook. Call with $.
*/}}
{{- define "figureforge.temporalCredentialsEnv" -}}
{{- with .Values.secrets.temporal.apiKey.existingSecret }}
- name: TEMPORAL_API_KEY
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $.Values.secrets.temporal.apiKey.key }}
{{- end }}
{{- end }}

{{- define "figureforge.temporalTlsVolume" -}}
{{- with .Values.secrets.temporal.mtls.existingSecret }}
- name: temporal-tls
  secret:
    secretName: {{ . }}
    defaultMode: 0440
{{- end }}
{{- end }}

{{/*
Soft spread over zones and nodes for a role. Call with (dict "root" $ "role" "api").
*/}}
{{- define "figureforge.topologySpread" -}}
{{- range $key := list "topology.kubernetes.io/zone" "kubernetes.io/hostname" }}
- maxSkew: {{ $.root.Values.topologySpread.maxSkew }}
  topologyKey: {{ $key }}
  whenUnsatisfiable: ScheduleAnyway
  labelSelector:
    matchLabels:
      {{- include "figureforge.roleSelectorLabels" $ | nindent 6 }}
{{- end }}
{{- end }}

{{/*
One Deployment per role, from the same image. Call with (dict "root" $ "role" "api").
*/}}
{{- define "figureforge.deployment" -}}
{{- $root := .root }}
{{- $role := .role }}
{{- $cfg := index $root.Values $role }}
{{- /* The api has an API port and a management port; the worker's only port is its management port. */}}
{{- $managementPort := $cfg.managementPort | default $cfg.port }}
{{- $isApi := eq $role "api" }}
{{- $secrets := $root.Values.secrets }}
{{- $keda := and (not $isApi) $root.Values.worker.keda.enabled }}
{{- /* The grace period must cover the drain, or Kubernetes kills what the drain waits for. */}}
{{- if $isApi }}
{{- if le (int $cfg.terminationGracePeriodSeconds) (add $cfg.preStopSleepSeconds $cfg.shutdownTimeoutSeconds | int) }}
{{- fail "api.terminationGracePeriodSeconds must exceed api.preStopSleepSeconds + api.shutdownTimeoutSeconds" }}
{{- end }}
{{- else if le (int $cfg.terminationGracePeriodSeconds) (int $cfg.drainTimeoutSeconds) }}
{{- fail "worker.terminationGracePeriodSeconds must exceed worker.drainTimeoutSeconds" }}
{{- end }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "figureforge.roleName" . }}
  labels:
    {{- include "figureforge.roleLabels" . | nindent 4 }}
spec:
  {{- if not (or $cfg.autoscaling.enabled $keda) }}
  replicas: {{ $cfg.replicas }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "figureforge.roleSelectorLabels" . | nindent 6 }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 25%
      maxUnavailable: 0
  template:
    metadata:
      annotations:
        checksum/config: {{ include (print $root.Template.BasePath "/configmap.yaml") $root | sha256sum }}
        checksum/application: {{ include (print $root.Template.BasePath "/application-configmap.yaml") $root | sha256sum }}
        {{- if $root.Values.metrics.scrapeAnnotations }}
        prometheus.io/scrape: "true"
        prometheus.io/port: {{ $managementPort | quote }}
        prometheus.io/path: {{ $root.Values.metrics.path | quote }}
        {{- end }}
        {{- with $cfg.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      labels:
        {{- include "figureforge.roleLabels" . | nindent 8 }}
        {{- with $cfg.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ include "figureforge.serviceAccountName" $root }}
      # The app never calls the Kubernetes API (IRSA injects its own projected token).
      automountServiceAccountToken: false
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- toYaml $root.Values.podSecurityContext | nindent 8 }}
      terminationGracePeriodSeconds: {{ $cfg.terminationGracePeriodSeconds }}
      containers:
        - name: {{ $role }}
          image: {{ include "figureforge.image" $root | quote }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          securityContext:
            {{- toYaml $root.Values.securityContext | nindent 12 }}
          ports:
            {{- if $cfg.managementPort }}
            - name: http
              containerPort: {{ $cfg.port }}
              protocol: TCP
            {{- end }}
            - name: management
              containerPort: {{ $managementPort }}
              protocol: TCP
          envFrom:
            - configMapRef:
                name: {{ include "figureforge.fullname" $root }}
          env:
            - name: SPRING_PROFILES_ACTIVE
              value: {{ $role | quote }}
            - name: PORT
              value: {{ $cfg.port | quote }}
            - name: MANAGEMENT_PORT
              value: {{ $managementPort | quote }}
            {{- if $isApi }}
            - name: SHUTDOWN_TIMEOUT
              value: {{ printf "%ds" (int $cfg.shutdownTimeoutSeconds) | quote }}
            {{- else }}
            - name: WORKER_DRAIN_TIMEOUT
              value: {{ printf "%ds" (int $cfg.drainTimeoutSeconds) | quote }}
            {{- end }}
            {{- with $cfg.javaToolOptions }}
            - name: JAVA_TOOL_OPTIONS
              value: {{ . | quote }}
            {{- end }}
            {{- /* Secrets per role: each gets only the keys it uses. */}}
            {{- if and (not $isApi) $secrets.fal.existingSecret }}
            - name: FAL_KEY
              valueFrom:
                secretKeyRef:
                  name: {{ $secrets.fal.existingSecret }}
                  key: {{ $secrets.fal.key }}
            {{- end }}
            {{- with $secrets.stripe.existingSecret }}
            - name: STRIPE_SECRET_KEY
              valueFrom:
                secretKeyRef:
                  name: {{ . }}
                  key: {{ $secrets.stripe.secretKeyKey }}
            {{- if $isApi }}
            - name: STRIPE_WEBHOOK_SECRET
              valueFrom:
                secretKeyRef:
                  name: {{ . }}
                  key: {{ $secrets.stripe.webhookSecretKey }}
            {{- end }}
            {{- end }}
            {{- with (include "figureforge.temporalCredentialsEnv" $root | trim) }}
            {{- . | nindent 12 }}
            {{- end }}
            {{- if $secrets.temporal.mtls.existingSecret }}
            - name: SPRING_TEMPORAL_CONNECTION_MTLS_CERTCHAINFILE
              value: /etc/figureforge/temporal-tls/{{ $secrets.temporal.mtls.certKey }}
            - name: SPRING_TEMPORAL_CONNECTION_MTLS_KEYFILE
              value: /etc/figureforge/temporal-tls/{{ $secrets.temporal.mtls.keyKey }}
            {{- end }}
            {{- with $root.Values.secrets.payloadEncryption.existingSecret }}
            - name: PAYLOAD_KEY
              valueFrom:
                secretKeyRef:
                  name: {{ . }}
                  key: {{ $root.Values.secrets.payloadEncryption.keyKey }}
            - name: PAYLOAD_RETIRED_KEYS
              valueFrom:
                secretKeyRef:
                  name: {{ . }}
                  key: {{ $root.Values.secrets.payloadEncryption.retiredKeysKey }}
                  optional: true
            {{- end }}
            {{- range $name, $value := $cfg.env }}
            - name: {{ $name }}
              value: {{ $value | toString | quote }}
            {{- end }}
            {{- with $cfg.extraEnv }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          {{- with $cfg.startupProbe }}
          startupProbe:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          {{- with $cfg.livenessProbe }}
          livenessProbe:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          {{- with $cfg.readinessProbe }}
          readinessProbe:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          {{- with $cfg.resources }}
          resources:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          {{- if and $isApi $cfg.preStopSleepSeconds }}
          lifecycle:
            # Endpoints are removed while the pod still serves; only then does SIGTERM arrive.
            preStop:
              exec:
                command: ["sleep", {{ $cfg.preStopSleepSeconds | quote }}]
          {{- end }}
          volumeMounts:
            # Read-only root file system: Tomcat and the JVM write only here.
            - name: tmp
              mountPath: /tmp
            - name: application-config
              mountPath: /etc/figureforge/config
              readOnly: true
            {{- if $secrets.temporal.mtls.existingSecret }}
            - name: temporal-tls
              mountPath: /etc/figureforge/temporal-tls
              readOnly: true
            {{- end }}
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: 256Mi
        - name: application-config
          configMap:
            name: {{ include "figureforge.fullname" $root }}-application
        {{- with (include "figureforge.temporalTlsVolume" $root | trim) }}
        {{- . | nindent 8 }}
        {{- end }}
      {{- with $cfg.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $cfg.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $cfg.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- if $cfg.topologySpreadConstraints }}
      topologySpreadConstraints:
        {{- toYaml $cfg.topologySpreadConstraints | nindent 8 }}
      {{- else if $root.Values.topologySpread.enabled }}
      topologySpreadConstraints:
        {{- include "figureforge.topologySpread" . | nindent 8 }}
      {{- end }}
{{- end }}

{{/*
HorizontalPodAutoscaler for a role. Call with (dict "root" $ "role" "api").
*/}}
{{- define "figureforge.hpa" -}}
{{- $cfg := index .root.Values .role }}
{{- if $cfg.autoscaling.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "figureforge.roleName" . }}
  labels:
    {{- include "figureforge.roleLabels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "figureforge.roleName" . }}
  minReplicas: {{ $cfg.autoscaling.minReplicas }}
  maxReplicas: {{ $cfg.autoscaling.maxReplicas }}
  metrics:
    {{- with $cfg.autoscaling.targetCPUUtilizationPercentage }}
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ . }}
    {{- end }}
    {{- with $cfg.autoscaling.targetMemoryUtilizationPercentage }}
    - type: Resource
      resource:
        name: memory
        target:
          type: Utilization
          averageUtilization: {{ . }}
    {{- end }}
{{- end }}
{{- end }}

{{/*
PodDisruptionBudget for a role. Call with (dict "root" $ "role" "api").
*/}}
{{- define "figureforge.pdb" -}}
{{- $cfg := index .root.Values .role }}
{{- if $cfg.podDisruptionBudget.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "figureforge.roleName" . }}
  labels:
    {{- include "figureforge.roleLabels" . | nindent 4 }}
spec:
  maxUnavailable: {{ $cfg.podDisruptionBudget.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "figureforge.roleSelectorLabels" . | nindent 6 }}
{{- end }}
{{- end }}

{{/*
The setup hook's search attributes as "Name:Type" words, sorted.
*/}}
{{- define "figureforge.searchAttributeSpecs" -}}
{{- $specs := list }}
{{- range $name, $type := .Values.temporalSetup.searchAttributes }}
{{- $specs = append $specs (printf "%s:%s" $name $type) }}
{{- end }}
{{- join " " $specs }}
{{- end }}
