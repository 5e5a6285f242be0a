package result

// Quality is the result of the quality stage (rtcprobe check --quality): a
// media-like flow, shaped like a TRTC call, on every media path that works
// and counts. A report without the stage has no "quality" key at all, so
// rtcprobe/report/v1 readers are unaffected.
type Quality struct {
	// DurationMs is how long the whole stage took.
	DurationMs float64 `json:"durationMs"`
	// FlowMs is the planned length of each path's flow (ramp then hold).
	FlowMs float64 `json:"flowMs"`
	// Paths holds one entry per path measured, in the SDK's order.
	Paths []QualityPath `json:"paths"`
	// Notes say what was not measured and why (no reflector, a reflector
	// that is not rtcprobe serve, a path that does not count).
	Notes []string `json:"notes"`
}

// Quality path statuses.
const (
	// QualityOK: the flow ran to its end.
	QualityOK = "ok"
	// QualitySilent: the flow started, then nothing came back: a late
	// decision of a firewall (see QualityPath.Stopped).
	QualitySilent = "went-silent"
	// QualityNoAnswer: the reflector never answered the flow's hello
	// (not rtcprobe serve, e.g. coturn, or the flow is filtered).
	QualityNoAnswer = "no-answer"
	// QualityError: the path could not be set up (TURN allocation failed).
	QualityError = "error"
)

// QualityPath is one path's flow: measurements from the probe, verdict
// fields (Resolution, MOS, Summary) from JudgeQuality.
type QualityPath struct {
	// Path is a path name (PathDirectUDP, PathTURNUDP, ...).
	Path PathName `json:"path"`
	// Target is what carried the flow: host:port of the reflector for
	// direct UDP, the TURN URL (no credentials) for a TURN path.
	Target string `json:"target"`
	// Transport of the client's first leg: "udp", "tcp" or "tls".
	Transport string `json:"transport"`
	Status    string `json:"status"`
	Error     string `json:"error,omitempty"`
	// RTTMedianMs and RTTP95Ms are round trips of the flow's datagrams
	// with the reflector's holding time taken out; nil when none came back.
	RTTMedianMs *float64 `json:"rttMedianMs"`
	RTTP95Ms    *float64 `json:"rttP95Ms"`
	// HOLDelayMs, on TCP paths only, is the delivery delay head-of-line
	// blocking adds: the 95th percentile round trip above the fastest one
	// (over TCP a lost segment delays every datagram behind it).
	HOLDelayMs *float64 `json:"holDelayMs,omitempty"`
	// Up is client to reflector, Down reflector to client.
	Up   QualityDirection `json:"up"`
	Down QualityDirection `json:"down"`
	// Stages are the ramp's steps (audio, then audio plus video at each
	// profile's bitrate).
	Stages []QualityStage `json:"stages"`
	// Stopped, when set, is when the flow went silent for good.
	Stopped *QualityStop `json:"stopped,omitempty"`
	// Timeline is RTT and loss per interval of the flow, for charts.
	Timeline []QualitySample `json:"timeline"`

	// Resolution is the best TRTC profile the path carried both ways
	// ("1080p", "720p", "360p"), "audio-only" or "none".
	Resolution     string `json:"resolution"`
	ResolutionUp   string `json:"resolutionUp"`
	ResolutionDown string `json:"resolutionDown"`
	// MOS is the E-model's (ITU-T G.107) estimate of audio quality, 1-4.5,
	// from the worse direction; RFactor is the R it comes from.
	MOS     *float64 `json:"mos"`
	RFactor *float64 `json:"rFactor"`
	// Summary is the one-line verdict.
	Summary string `json:"summary"`
}

// QualityDirection is one direction of a path's flow.
type QualityDirection struct {
	Sent     int     `json:"sent"`
	Received int     `json:"received"`
	LossPct  float64 `json:"lossPct"`
	// LossBursts counts runs of consecutive lost datagrams; MaxBurst is
	// the longest run.
	LossBursts int `json:"lossBursts"`
	MaxBurst   int `json:"maxBurst"`
	// Reordered counts datagrams that arrived after a later one.
	Reordered  int `json:"reordered"`
	Duplicates int `json:"duplicates"`
	// JitterMs is the RFC 3550 interarrival jitter of the audio stream.
	JitterMs float64 `json:"jitterMs"`
	// AudioLossPct is the loss of the audio stream alone (the E-model's
	// input: what the SDK carries once it has adapted its video).
	AudioLossPct float64 `json:"audioLossPct"`
	// HeldKbps is the highest ramp bitrate held without loss or delay
	// growing, Held its stage name ("" when not even audio held).
	HeldKbps float64 `json:"heldKbps"`
	Held     string  `json:"held"`
}

// QualityStage is one step of the ramp.
type QualityStage struct {
	Name string  `json:"name"`
	Kbps float64 `json:"kbps"`
	// Up and down datagrams sent and lost during the step.
	UpSent      int      `json:"upSent"`
	UpLost      int      `json:"upLost"`
	DownSent    int      `json:"downSent"`
	DownLost    int      `json:"downLost"`
	RTTMedianMs *float64 `json:"rttMedianMs"`
}

// QualityStop is a flow that went silent and stayed silent.
type QualityStop struct {
	// AfterMs is the flow's age at the last datagram that came back.
	AfterMs float64 `json:"afterMs"`
	// AfterPackets is how many datagrams the reflector had received then.
	AfterPackets int `json:"afterPackets"`
	// SilentMs is how long it stayed silent until the flow ended.
	SilentMs float64 `json:"silentMs"`
}

// QualitySample is one interval of the timeline.
type QualitySample struct {
	AtMs    float64  `json:"atMs"`
	RTTMs   *float64 `json:"rttMs"`
	LossPct float64  `json:"lossPct"`
}

// Ramp stage names and the bitrates a TRTC Web SDK call sends. Video
// bitrates are the SDK's documented profile defaults (trtc.io/document/59654,
// "Video Property Profile List": 360p 640x360 15 fps 800 kbps, 720p
// 1280x720 15 fps 1500 kbps, 1080p 1920x1080 15 fps 2000 kbps). The audio
// stream is 50 datagrams a second of about 160 bytes (20 ms frames), 64
// kbit/s on the wire.
const (
	StageAudio = "audio"
	Stage360p  = "360p"
	Stage720p  = "720p"
	Stage1080p = "1080p"
	// ResolutionAudioOnly and ResolutionNone are the resolutions below 360p.
	ResolutionAudioOnly = "audio-only"
	ResolutionNone      = "none"
)
