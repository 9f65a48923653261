/*
 * py_object_D_WITH_PYMALLOC.d - calls to the pymalloc object allocator of
 * CPython (_PyObject_Malloc, _PyObject_Calloc, _PyObject_Realloc and
 * _PyObject_Free in Objects/obmalloc.c), one line per call, each with the
 * Python file, line and function that was running in the calling thread.
 * Part of the pmanalyze toolkit: its output is read by `pmanalyze import`.
 *
 * PYTHON BUILD: CPython 3.6+ configured --with-dtrace and WITH_PYMALLOC
 * Defined (the default, release builds). For a build --without-pymalloc use
 * py_object_U_WITH_PYMALLOC.d: this one would find no _PyObject_* functions.
 * In a debug build with pymalloc, sizes include the debug hooks overhead.
 *
 * RUN (-C runs the C preprocessor, needed for the -D options):
 *     sudo dtrace -C -s toolkit/py_object_D_WITH_PYMALLOC.d -p PID > trace.log 2>&1
 *     sudo dtrace -C -s toolkit/py_object_D_WITH_PYMALLOC.d -c 'python3 script.py' > trace.log 2>&1
 * Stop with Ctrl-C (or let the -c command exit).
 *
 * OPTIONS:
 *     -D FULL_FILE_PATH     print full paths of Python files, not basenames
 *     -D PYTHON_CALL_STACK  also print a line per Python call and return
 *     -D NATIVE             also print the native call stack of each
 *                           allocation after its line: ustack(), as DTrace
 *                           prints it (a blank line, one frame a line, leaf
 *                           first, indented, e.g. "libc.so.1`malloc+0x1c",
 *                           then a blank line). pmanalyze reads it as that
 *                           allocation's stack (stacks, leaks --by stack,
 *                           flame graphs). Costs a stack walk per allocation;
 *                           raise -x ustackframes=N for deeper stacks.
 *
 * OUTPUT (the format contract). Example lines are shown after a 4-space
 * indent; the printf formats are given in brackets.
 *
 *    dtrace:::BEGIN
 *
 * Then one line per call made by a thread after it has run Python code.
 * FILE:LINE and FUNCTION are the last Python line event (or function entry)
 * of that thread. Head ["%6d %16s:%-4d -> %s "] of pid, file, line, function:
 *
 *     30620     ex_dtrace.py:89   -> create_list _PyObject_Malloc(161) _PyObject_Malloc returns 0x1034583a0
 *     30620     ex_dtrace.py:89   -> create_list _PyObject_Calloc(2, 8) _PyObject_Calloc returns 0x1030be590
 *     30620     ex_dtrace.py:89   -> create_list _PyObject_Realloc(0x1034583a0, 64)
 *     30620     ex_dtrace.py:89   -> create_list _PyObject_Free(0x1034583a0)
 *
 * Sizes are decimal ["%d"], pointers "0x" and lower-case hex ["0x%x"], so
 * NULL is "0x0". Malloc and Calloc lines are printed when the call returns
 * (a failed call shows "returns 0x0"); Realloc and Free lines when the call
 * is entered. _PyObject_Realloc has no return line: the new address is not
 * known, so readers take the block as resized in place. When pymalloc moves
 * the block, the _PyObject_Malloc and _PyObject_Free that Realloc makes may
 * follow as lines of their own in the same thread (unless the compiler has
 * inlined them), with the size and old pointer of the Realloc line.
 *
 * With -D PYTHON_CALL_STACK, a header right after BEGIN, then a line per
 * Python call and return, indented two spaces per call depth of the thread
 * ["%6d %16s:%-4d CALL %*s-> %s", "%6d %16s:%-4d RTN  %*s<- %s"]:
 *
 *    C    PID  DELTA(us)              FILE:LINE TYPE     -- FUNC
 *     30620     ex_dtrace.py:40   CALL -> main
 *     30620     ex_dtrace.py:85   CALL   -> create_list
 *     30620     ex_dtrace.py:95   RTN    <- create_list
 *
 * At the end, a blank line and:
 *
 *    dtrace:::END
 */

#pragma D option quiet

#ifdef FULL_FILE_PATH
#define PYFILE(a)	copyinstr(a)
#else
#define PYFILE(a)	basename(copyinstr(a))
#endif

/* Which traced call is in progress in this thread (0: none). */
inline int IN_MALLOC = 1;
inline int IN_CALLOC = 2;

self string file;	/* Python location of this thread */
self string func;
self int line;
self int inpy;		/* 1 once this thread has run Python code */
self int depth;		/* Python call depth, for PYTHON_CALL_STACK */
self int busy;		/* IN_* of the call between entry and return */
self uint64_t size;	/* arguments of that call */
self uint64_t nelem;

dtrace:::BEGIN
{
	printf("dtrace:::BEGIN\n");
#ifdef PYTHON_CALL_STACK
	printf("%s %6s %10s  %16s:%-4s %-8s -- %s\n",
	    "C", "PID", "DELTA(us)", "FILE", "LINE", "TYPE", "FUNC");
#endif
}

/* Python call stack: arg0 file, arg1 function, arg2 line. */
#ifdef PYTHON_CALL_STACK
python$target:::function-entry
{
	printf("%6d %16s:%-4d CALL %*s-> %s\n", pid, PYFILE(arg0), arg2,
	    self->depth * 2, "", copyinstr(arg1));
	self->depth++;
}

python$target:::function-return
{
	self->depth -= self->depth > 0 ? 1 : 0;
	printf("%6d %16s:%-4d RTN  %*s<- %s\n", pid, PYFILE(arg0), arg2,
	    self->depth * 2, "", copyinstr(arg1));
}
#endif

/* Where this thread is in Python code; kept until the next Python event. */
python$target:::function-entry,
python$target:::line
{
	self->file = PYFILE(arg0);
	self->func = copyinstr(arg1);
	self->line = (int)arg2;
	self->inpy = 1;
}

/*
 * The allocator functions take a context pointer first (arg0), so their
 * real arguments start at arg1. In return probes arg1 is the return value.
 */

/* _PyObject_Malloc(ctx, size) */
pid$target::_PyObject_Malloc:entry
/self->inpy && self->busy == 0/
{
	self->busy = IN_MALLOC;
	self->size = arg1;
}

pid$target::_PyObject_Malloc:return
/self->busy == IN_MALLOC/
{
	printf("%6d %16s:%-4d -> %s _PyObject_Malloc(%d) _PyObject_Malloc returns 0x%x\n",
	    pid, self->file, self->line, self->func, self->size, arg1);
#ifdef NATIVE
	ustack();
#endif
	self->busy = 0;
}

/* _PyObject_Calloc(ctx, nelem, size) */
pid$target::_PyObject_Calloc:entry
/self->inpy && self->busy == 0/
{
	self->busy = IN_CALLOC;
	self->nelem = arg1;
	self->size = arg2;
}

pid$target::_PyObject_Calloc:return
/self->busy == IN_CALLOC/
{
	printf("%6d %16s:%-4d -> %s _PyObject_Calloc(%d, %d) _PyObject_Calloc returns 0x%x\n",
	    pid, self->file, self->line, self->func, self->nelem, self->size,
	    arg1);
#ifdef NATIVE
	ustack();
#endif
	self->busy = 0;
}

/* _PyObject_Realloc(ctx, old, size): entry only, see above. */
pid$target::_PyObject_Realloc:entry
/self->inpy && self->busy == 0/
{
	printf("%6d %16s:%-4d -> %s _PyObject_Realloc(0x%x, %d)\n",
	    pid, self->file, self->line, self->func, arg1, arg2);
#ifdef NATIVE
	ustack();
#endif
}

/* _PyObject_Free(ctx, ptr) */
pid$target::_PyObject_Free:entry
/self->inpy && self->busy == 0/
{
	printf("%6d %16s:%-4d -> %s _PyObject_Free(0x%x)\n",
	    pid, self->file, self->line, self->func, arg1);
}

dtrace:::END
{
	printf("\ndtrace:::END\n");
}
