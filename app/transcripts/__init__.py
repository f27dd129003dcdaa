"""Interview recordings and their transcripts (issue 6): upload, transcription job, versions, exports."""
