// Package demo generates a clearly fictional but realistic demonstration
// data set for Sillok: escapees from North Korea with Korean names at their
// real frequencies, what was done to them (forced repatriation,
// interrogation under torture, detention, forced labour, forced abortion,
// public executions, disappearances of relatives), the units and fictional
// perpetrators involved, testimonies with Korean and English transcripts,
// and the same people reported by several fictional organisations with the
// spelling and date variations that record linkage has to resolve.
//
// Generate and GenerateBatched write the records to a Sink (a sillok.Tx
// is one) in an order where every record refers only to earlier ones. The
// run is deterministic per Options.Seed and Options.People: same records,
// same IDs, same order. Options.Truth receives which person records are the
// same individual; that truth is never part of the records.
//
// The stream starts with the reference data (units, then places, owned by
// demo-ohchr-seoul, public), then the perpetrators with their positions
// (internal), then one story per escapee: the person (confidential), shared
// events on first use (public), acts with involvements and relationships
// (internal and confidential), a testimony (strict) with its information
// records. Reports of the same person by other organisations follow up to
// 2,000 stories later, so one individual's records are not neighbours. At
// 1,000,000 people the stream holds about 4.8 million records (1.42 million
// persons, 1.2 million acts, 0.45 million testimonies).
//
// Everything here is written by hand: no faker library knows Korean names
// with their North and South spellings and romanization systems, or North
// Korean places and facilities. Places, facility types and unit structures
// are real (coordinates approximate); all people, their names, dates and
// stories are invented, and every person record and testimony carries
// Marker. The compact name tables (surnames by the 2015 census, given-name
// syllables with their spellings per romanization system) could move to
// the korean package once it is merged; romanization here is per syllable,
// without the sound changes across syllables that a full romanizer applies.
package demo
