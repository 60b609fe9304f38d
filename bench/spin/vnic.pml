/*
 * vnic.pml — the default checked vnic configuration of vnicspec (spec/checked/config.ts, arch 'vnic') written by
 * hand in Promela, for SPIN as a reference point for our explorer (bench/spin.ts runs it).
 *
 *   NVM VMs (default 2), each with its own vNIC: a partition of CAP packet slots (default 2), a token bucket of
 *   burst 1 packet refilled by a clock tick, an Rx ring of 2 descriptors, a Tx ring of 1; one DMA engine shared by
 *   the vNICs' channels under deficit round robin (quantum 1, weights 1, packets of size 1); MSI per vNIC, masked
 *   after it fires until the VM's driver re-enables it; the VMM forwards MSIs as virtual interrupts; each VM's driver
 *   polls its ring one packet at a time. VMs 0 .. NVM-2 conform to their bandwidth specification (a shadow bucket
 *   gates their arrivals), VM NVM-1 floods.
 *   Assertions: partition capacity and bucket bounds, conservation (packets offered and not yet rejected or
 *   delivered = packets held in partitions and rings), and the bounded DMA wait (no-cross-vm-starvation).
 *   Run with -DNVM=3 -DCAP=3 for the 3 VMs x 3 slots target configuration.
 *
 * One `do` branch is one step of our explorer (an arrival, a tick, or the delivery of one pending item: a DMA or
 * wire completion, the VMM's interrupt forwarding, a VM's packet processing), each one `d_step`, so SPIN stores
 * exactly one state per step, as the explorer does. It is NOT the same model; the differences:
 *  - Our explorer runs the xstate machines of spec/ (NIC, VMM, VM drivers, wire) through the network cascade; this
 *    is a hand abstraction of what those machines do in this configuration, and nothing checks it against them
 *    (bench/spin.ts only compares the state counts).
 *  - Contexts are abstracted: a partition is a packet count (all packets of a VM are alike here: size 1, one
 *    kind), a bucket is a token count, the DRR arbiter is (pointer, in-turn bit) because its deficits are always 0
 *    with quantum 1 and packets of size 1, and its visiting order stays the identity (no symmetry reduction
 *    here); the VMM's tables, MACs, vectors, timing, Tx rate limits and the wire are constants and left out.
 *    Packet ids, probes and rejection reasons are not represented.
 *  - No churn (detach / attach / resize) and no teardown paths: the explorer's default configuration has none.
 *  - The isolation property is structural here (a VM's packets can only go to its own counters) and is not
 *    asserted; the qos-admission step checks (each rejection's reason was true) are not modelled either.
 *  - Packets for an unknown MAC are rejected at classification and change nothing: our explorer counts them as
 *    self-loop transitions; pan refuses an unconditional self-loop, so they are left out (same states, fewer
 *    transitions).
 *  - Our explorer deduplicates identical pending items; here each pending item is a bit (at most one of each kind
 *    can be pending in this configuration — asserted when one is set).
 */

#ifndef NVM
#define NVM 2
#endif
#ifndef CAP
#define CAP 2
#endif
#define RING 2
#define BURST 1
#define WAITBOUND (NVM - 1)
#define WAITCAP NVM
#define NONE 255
#define CONFORMING(i) ((i) < NVM - 1)
#define ELIGIBLE(i) (q[i] > 0 && cred[i] > 0)

/* NIC: per vNIC */
byte tok[NVM] = BURST;   /* bucket tokens */
byte q[NVM];             /* packets in the partition (= bytes used) */
byte cred[NVM] = RING;   /* free Rx descriptors in the VM's ring, as the NIC knows them */
bit txu[NVM];            /* Tx descriptors in use (ring of 1) */
bit masked[NVM];         /* MSI masked */
byte hw[NVM];            /* head wait: DMA grants to others while this head was eligible (saturates at WAITCAP) */
/* NIC: DMA arbiter, engine, transmit queue */
byte nxt;                /* DRR pointer */
bit turn;                /* the slot at nxt has had its turn's quantum */
byte dmaSlot = NONE;
byte txq[NVM];           /* slots with a reply queued for the wire, in order */
byte txlen;
/* VM drivers */
byte ring[NVM];
bit polling[NVM];
/* pending items */
bit pDma;                /* nic: dma.done */
bit pTx;                 /* nic: tx.done */
bit pFwd[NVM];           /* vmm: forward.done(vector i) */
bit pRx[NVM];            /* vm i: rx.processed */
/* environment */
byte outst[NVM];         /* offered and not yet rejected or delivered */
byte shadow[NVM] = BURST; /* conforming VMs' shadow buckets (the flooding VM's stays at BURST, unused) */
/* scratch, zero in every stored state */
byte v, s, g, k, j;

inline kickDma() {
  if
  :: dmaSlot == NONE ->
     /* DRR with deficits always 0: the first eligible slot after the pointer (from the pointer itself before any turn) */
     k = (turn -> (nxt + 1) % NVM : nxt);
     g = NONE;
     j = 0;
     do
     :: j < NVM && g == NONE -> s = (k + j) % NVM; if :: ELIGIBLE(s) -> g = s :: else -> skip fi; j++
     :: else -> break
     od;
     if
     :: g != NONE ->
        j = 0;
        do
        :: j < NVM -> if :: j != g && ELIGIBLE(j) && hw[j] < WAITCAP -> hw[j]++ :: else -> skip fi; j++
        :: else -> break
        od;
        hw[g] = 0; nxt = g; turn = 1; dmaSlot = g;
        assert(!pDma); pDma = 1
     :: else -> skip
     fi
  :: else -> skip
  fi
}

inline raiseMsi(x) {
  if
  :: !masked[x] -> masked[x] = 1; assert(!pFwd[x]); pFwd[x] = 1   /* msi -> VMM -> forward.done pending */
  :: else -> skip
  fi
}

inline invariants() {
  j = 0;
  do
  :: j < NVM ->
     assert(q[j] <= CAP);                  /* partition capacity */
     assert(tok[j] <= BURST);              /* bucket within [0, burst] */
     assert(outst[j] == q[j] + ring[j]);   /* conservation */
     assert(hw[j] <= WAITBOUND);           /* bounded DMA wait */
     j++
  :: else -> break
  od;
  v = 0; s = 0; g = 0; k = 0; j = 0
}

#if NVM != 2 && NVM != 3
#error "NVM must be 2 or 3"
#endif
#define MAYARRIVE(i) (!CONFORMING(i) || shadow[i] >= 1)

/* A packet for VM v (conforming VMs: only with a shadow token); classified to v's vNIC, admitted or rejected. */
inline arrive() {
  if :: CONFORMING(v) -> shadow[v]-- :: else -> skip fi;
  outst[v]++;
  if
  :: tok[v] < 1 -> outst[v]--                        /* rejected: rate-exceeded */
  :: tok[v] >= 1 && q[v] + 1 > CAP -> outst[v]--     /* rejected: partition-full (its own packets only) */
  :: tok[v] >= 1 && q[v] + 1 <= CAP -> tok[v]--; q[v]++; kickDma()
  fi;
  invariants()
}

/* vmm: forward.done(vector v) -> virq to VM v: start polling, or re-enable the interrupt when the ring is empty. */
inline forward() {
  pFwd[v] = 0;
  if
  :: !polling[v] && ring[v] > 0 -> polling[v] = 1; assert(!pRx[v]); pRx[v] = 1
  :: !polling[v] && ring[v] == 0 -> masked[v] = 0     /* irq.unmask */
  :: polling[v] -> skip
  fi;
  invariants()
}

/* vm v: rx.processed — deliver, reply (conforming VMs), return the descriptor, poll on or re-arm the interrupt. */
inline processed() {
  pRx[v] = 0;
  ring[v]--; outst[v]--;
  if
  :: CONFORMING(v) && txu[v] == 0 ->
     txu[v] = 1; txq[txlen] = v; txlen++;
     if :: txlen == 1 -> assert(!pTx); pTx = 1 :: else -> skip fi
  :: else -> skip      /* flooding VM: no reply; or Tx ring full: reply dropped */
  fi;
  cred[v]++;
  if :: ring[v] == 0 -> masked[v] = 0 :: else -> skip fi;
  kickDma();
  if :: ring[v] > 0 -> pRx[v] = 1 :: else -> polling[v] = 0 fi;
  invariants()
}

active proctype system() {
  do
  :: d_step { MAYARRIVE(0) -> v = 0; arrive() }
  :: d_step { MAYARRIVE(1) -> v = 1; arrive() }
#if NVM == 3
  :: d_step { MAYARRIVE(2) -> v = 2; arrive() }
#endif
  :: d_step {   /* clock tick: every bucket (and shadow bucket) earns one packet */
       j = 0;
       do
       :: j < NVM ->
          if :: CONFORMING(j) && shadow[j] < BURST -> shadow[j]++ :: else -> skip fi;
          if :: tok[j] < BURST -> tok[j]++ :: else -> skip fi;
          j++
       :: else -> break
       od;
       invariants()
     }
  :: d_step {   /* nic: dma.done — the head packet lands in the VM's ring, MSI unless masked, next grant */
       pDma -> pDma = 0;
       s = dmaSlot;
       q[s]--; cred[s]--; ring[s]++;
       raiseMsi(s);
       dmaSlot = NONE;
       kickDma();
       invariants()
     }
  :: d_step { pFwd[0] -> v = 0; forward() }
  :: d_step { pFwd[1] -> v = 1; forward() }
#if NVM == 3
  :: d_step { pFwd[2] -> v = 2; forward() }
#endif
  :: d_step { pRx[0] -> v = 0; processed() }
  :: d_step { pRx[1] -> v = 1; processed() }
#if NVM == 3
  :: d_step { pRx[2] -> v = 2; processed() }
#endif
  :: d_step {   /* nic: tx.done — the head reply leaves, Tx completion MSI unless masked */
       pTx -> pTx = 0;
       s = txq[0];
       j = 1;
       do :: j < txlen -> txq[j - 1] = txq[j]; j++ :: else -> break od;
       txlen--; txq[txlen] = 0;
       txu[s] = 0;
       raiseMsi(s);
       if :: txlen > 0 -> pTx = 1 :: else -> skip fi;
       invariants()
     }
  od
}
