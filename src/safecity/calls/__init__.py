"""Emergency calls (Helpline 15 / Rescue 1122): intake, landmarks, duplicate detection."""
