package reputation

// PeerRescue rewards a peer whose reply rescued an escalated question before
// any agent claimed it (issue 7).
// also defined by the rep branch; lead dedupes at merge
const PeerRescue Reason = "peer_rescue"

func init() { Points[PeerRescue] = 5 }
