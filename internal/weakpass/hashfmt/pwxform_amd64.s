//go:build !purego

// pwxform rounds of yescrypt (PWXsimple=2, PWXgather=4, PWXrounds=6,
// Swidth=8) with SSE2, as libxcrypt's yescrypt-opt.c does: each 16-byte
// lane pair (x, y) is one XMM register, both 32x32->64 multiplies are
// one PMULUDQ, and the S-box pair is added/XORed as one 128-bit value.

#include "textflag.h"

// PWX runs one pwxform round on one lane pair held in Xr.
#define PWX(Xr) \
	MOVQ Xr, AX; \
	MOVQ AX, BX; \
	SHRQ $32, BX; \
	ANDL $0xFF0, AX; \
	ANDL $0xFF0, BX; \
	PSHUFD $0xF5, Xr, X8; \
	PMULULQ X8, Xr; \
	MOVOU (R8)(AX*1), X9; \
	PADDQ X9, Xr; \
	MOVOU (R9)(BX*1), X10; \
	PXOR X10, Xr

// PWXS also writes the result to the S2 box at the write cursor.
#define PWXS(Xr) \
	PWX(Xr); \
	MOVOU Xr, (R10)(R11*1); \
	ADDQ $16, R11

// func pwxformBlocks(X *[8]uint64, B *uint64, n int, ctx *pwxformCtx)
TEXT ·pwxformBlocks(SB), NOSPLIT, $0-32
	MOVQ X+0(FP), DI
	MOVQ B+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ ctx+24(FP), DX
	MOVQ 0(DX), R8
	MOVQ 8(DX), R9
	MOVQ 16(DX), R10
	MOVL 24(DX), R11
	SHLQ $4, R11
	MOVOU 0(DI), X0
	MOVOU 16(DI), X1
	MOVOU 32(DI), X2
	MOVOU 48(DI), X3

loop:
	MOVOU 0(SI), X4
	MOVOU 16(SI), X5
	MOVOU 32(SI), X6
	MOVOU 48(SI), X7
	PXOR X4, X0
	PXOR X5, X1
	PXOR X6, X2
	PXOR X7, X3

	PWX(X0)
	PWX(X1)
	PWX(X2)
	PWX(X3)

	PWXS(X0)
	PWXS(X1)
	PWXS(X2)
	PWXS(X3)

	PWXS(X0)
	PWXS(X1)
	PWXS(X2)
	PWXS(X3)

	PWXS(X0)
	PWXS(X1)
	PWXS(X2)
	PWXS(X3)

	PWXS(X0)
	PWXS(X1)
	PWXS(X2)
	PWXS(X3)

	PWX(X0)
	PWX(X1)
	PWX(X2)
	PWX(X3)

	MOVOU X0, 0(SI)
	MOVOU X1, 16(SI)
	MOVOU X2, 32(SI)
	MOVOU X3, 48(SI)
	ADDQ $64, SI

	// s0, s1, s2 = s2, s0, s1; wrap the write cursor.
	MOVQ R10, R12
	MOVQ R9, R10
	MOVQ R8, R9
	MOVQ R12, R8
	ANDQ $0xFFF, R11

	DECQ CX
	JNZ loop

	MOVOU X0, 0(DI)
	MOVOU X1, 16(DI)
	MOVOU X2, 32(DI)
	MOVOU X3, 48(DI)
	MOVQ R8, 0(DX)
	MOVQ R9, 8(DX)
	MOVQ R10, 16(DX)
	SHRQ $4, R11
	MOVL R11, 24(DX)
	RET
