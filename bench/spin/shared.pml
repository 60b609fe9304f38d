/*
 * shared.pml — the shared-buffer baseline (vnicspec's checked 'xen-idd' configuration) in Promela, for SPIN's
 * breadth-first search (-DBFS) to find the starvation counterexample our explorer finds (bench/spin.ts runs it).
 *
 *   NVM VMs (default 2) behind a Xen driver domain (IDD). The NIC has one device buffer of CAP * NVM packet slots
 *   (default 2 * 2) shared by everyone, one Rx ring of 2 descriptors towards the IDD and one interrupt (masked after
 *   it fires until the IDD re-enables it), forwarded by the VMM. The IDD processes its ring one packet at a time
 *   (driver + bridge + netback), applies each VM's software token bucket (burst 1, refilled by the tick) — after the
 *   packet was received — and copies the packet into the VM's netfront ring (2 descriptors) with a notification.
 *   VMs 0 .. NVM-2 conform to their bandwidth specification (a shadow bucket gates their arrivals), VM NVM-1 floods,
 *   and packets for an unknown MAC arrive at any time.
 *   Assertions: no-cross-vm-starvation (a conforming VM's packet is never rejected while the device buffer holds
 *   other destinations' packets), conservation.
 *
 * Each `do` branch is one step of our explorer, one `d_step` (so BFS depth = steps). Differences from the explorer's model (spec/ machines):
 *  - A hand abstraction of the NIC, VMM, IDD and netfront machines, not checked against them; buffers and rings are
 *    sequences of destination indices (NVM stands for the unknown MAC), packets have no ids, sizes or kinds.
 *  - The transmit path is left out: VMs do not reply, so the IDD never has transmit work (in spec/ the IDD
 *    alternates receive and transmit jobs). It does not change how the shared buffer fills, which is the point here,
 *    but the state space differs.
 *  - Rejection reasons, probes, the isolation and qos-admission properties are not modelled.
 */

#ifndef NVM
#define NVM 2
#endif
#ifndef CAP
#define CAP 2
#endif
#define BUF (CAP * NVM)
#define RING 2
#define BURST 1
#define UNKNOWN NVM
#define CONFORMING(i) ((i) < NVM - 1)

/* shared NIC */
byte buf[BUF];           /* destinations of the buffered packets, in arrival order */
byte blen;
byte rxCred = RING;      /* free descriptors in the IDD's Rx ring */
bit masked;              /* the one interrupt */
bit dmaBusy;
/* driver domain */
byte iring[RING];        /* packets DMA'd into the IDD's memory */
byte ilen;
bit busy;                /* the IDD's core is processing a packet */
byte ptok[NVM] = BURST;  /* software rate limit per VM port */
byte pcred[NVM] = RING;  /* free descriptors in each VM's netfront ring */
bit pmask[NVM];          /* notification masked */
/* VMs (netfront) */
byte ring[NVM];
bit polling[NVM];
/* pending items */
bit pDma;                /* nic: dma.done */
bit pFwd;                /* vmm: forward.done(vector 0) -> virq to the IDD */
bit pWork;               /* idd: work.done */
bit pRx[NVM];            /* vm i: rx.processed */
/* environment */
byte outst[NVM + 1];     /* per VM, then unknown: offered and not yet rejected, dropped or delivered */
byte shadow[NVM] = BURST;
/* scratch, zero in every stored state */
byte v, d, j, n;

inline kickDma() {
  if
  :: !dmaBusy && blen > 0 && rxCred > 0 -> dmaBusy = 1; assert(!pDma); pDma = 1
  :: else -> skip
  fi
}

inline unmaskNic() { masked = 0 }

inline conservation() {
  d = 0;
  do
  :: d <= NVM ->
     n = 0;
     j = 0; do :: j < blen -> if :: buf[j] == d -> n++ :: else -> skip fi; j++ :: else -> break od;
     j = 0; do :: j < ilen -> if :: iring[j] == d -> n++ :: else -> skip fi; j++ :: else -> break od;
     if :: d < NVM -> n = n + ring[d] :: else -> skip fi;
     assert(outst[d] == n);
     d++
  :: else -> break
  od;
  v = 0; d = 0; j = 0; n = 0
}

#if NVM != 2 && NVM != 3
#error "NVM must be 2 or 3"
#endif
#define MAYARRIVE(i) ((i) == UNKNOWN || !CONFORMING(i) || shadow[i] >= 1)

/* A packet for VM v, or for an unknown MAC (v = UNKNOWN): the device admits it if it fits in the shared buffer. */
inline arrive() {
  if :: v < NVM && CONFORMING(v) -> shadow[v]-- :: else -> skip fi;
  outst[v]++;
  if
  :: blen >= BUF ->
     /* rejected: device-buffer-full. The device cannot tell VMs apart. */
     outst[v]--;
     if
     :: v < NVM && CONFORMING(v) ->
        j = 0;
        do
        :: j < blen -> assert(buf[j] == v);   /* no-cross-vm-starvation */
           j++
        :: else -> break
        od
     :: else -> skip
     fi
  :: else -> buf[blen] = v; blen++; kickDma()
  fi;
  conservation()
}

/* vm v: rx.processed — deliver, return the descriptor to netback, poll on or re-arm the notification. */
inline processed() {
  pRx[v] = 0;
  ring[v]--; outst[v]--;
  pcred[v]++;
  if :: ring[v] == 0 -> pmask[v] = 0; polling[v] = 0 :: else -> pRx[v] = 1 fi;
  conservation()
}

active proctype system() {
  do
  :: d_step { MAYARRIVE(0) -> v = 0; arrive() }
  :: d_step { MAYARRIVE(1) -> v = 1; arrive() }
  :: d_step { MAYARRIVE(2) -> v = 2; arrive() }
#if NVM == 3
  :: d_step { MAYARRIVE(3) -> v = 3; arrive() }
#endif
  :: d_step {   /* clock tick: shadow buckets and the IDD's software buckets earn one packet */
       j = 0;
       do
       :: j < NVM ->
          if :: CONFORMING(j) && shadow[j] < BURST -> shadow[j]++ :: else -> skip fi;
          if :: ptok[j] < BURST -> ptok[j]++ :: else -> skip fi;
          j++
       :: else -> break
       od;
       conservation()
     }
  :: d_step {   /* nic: dma.done — the head packet lands in the IDD's ring; interrupt unless masked */
       pDma -> pDma = 0;
       iring[ilen] = buf[0]; ilen++;
       j = 1; do :: j < blen -> buf[j - 1] = buf[j]; j++ :: else -> break od;
       blen--; buf[blen] = 0;
       rxCred--; dmaBusy = 0;
       if :: !masked -> masked = 1; assert(!pFwd); pFwd = 1 :: else -> skip fi;
       kickDma();
       conservation()
     }
  :: d_step {   /* vmm: forward.done -> virq to the IDD: start processing, or re-enable the interrupt */
       pFwd -> pFwd = 0;
       if
       :: busy -> skip
       :: !busy && ilen > 0 -> busy = 1; assert(!pWork); pWork = 1
       :: !busy && ilen == 0 -> unmaskNic()
       fi;
       conservation()
     }
  :: d_step {   /* idd: work.done — driver, bridge, netback for the head packet; software QoS; copy to the VM */
       pWork -> pWork = 0;
       d = iring[0];
       j = 1; do :: j < ilen -> iring[j - 1] = iring[j]; j++ :: else -> break od;
       ilen--; iring[ilen] = 0;
       rxCred++; kickDma();                       /* rx.refill to the NIC */
       if
       :: d == UNKNOWN -> outst[d]--               /* dropped: unknown-destination (after reception) */
       :: d < NVM && ptok[d] < 1 -> outst[d]--     /* dropped: rate-exceeded (after reception) */
       :: d < NVM && ptok[d] >= 1 && pcred[d] == 0 -> outst[d]--   /* dropped: vm-ring-full */
       :: d < NVM && ptok[d] >= 1 && pcred[d] > 0 ->
          ptok[d]--; pcred[d]--; ring[d]++;
          if
          :: !pmask[d] -> pmask[d] = 1;
             if :: !polling[d] -> polling[d] = 1; assert(!pRx[d]); pRx[d] = 1 :: else -> skip fi
          :: else -> skip
          fi
       fi;
       if
       :: ilen > 0 -> pWork = 1
       :: else -> busy = 0; unmaskNic()           /* idle: irq.unmask to the NIC */
       fi;
       conservation()
     }
  :: d_step { pRx[0] -> v = 0; processed() }
  :: d_step { pRx[1] -> v = 1; processed() }
#if NVM == 3
  :: d_step { pRx[2] -> v = 2; processed() }
#endif
  od
}
