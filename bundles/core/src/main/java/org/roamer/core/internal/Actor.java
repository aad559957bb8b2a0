package org.roamer.core.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Runs tasks one at a time, in submission order, on a shared executor: the owner of one agent (or of
 * one server's state). Never a thread of its own. Thread-safe.
 */
public final class Actor implements Executor {
    private final Executor executor;
    private final Consumer<Throwable> onError;
    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final Runnable drain = this::drain;
    /**
     * The thread running a task through {@link #executeInline}, else null. Plain field: a thread only ever
     * compares it with itself, and only that thread can have stored its own reference there.
     */
    private Thread inlineThread;

    /**
     * @param executor the shared worker pool
     * @param onError  told of an exception a task threw (the actor goes on)
     */
    public Actor(Executor executor, Consumer<Throwable> onError) {
        this.executor = executor;
        this.onError = onError;
    }

    @Override
    public void execute(Runnable task) {
        queue.add(task);
        if (pending.getAndIncrement() == 0) {
            executor.execute(drain);
        }
    }

    /**
     * Runs the task on the calling thread when the actor is idle (saving the hand-off to a worker, which
     * costs a thread wake-up per message), else queues it behind the others. Use it from threads that may
     * run short, non-blocking work, such as a transport's reader.
     */
    public void executeInline(Runnable task) {
        if (!pending.compareAndSet(0, 1)) {
            execute(task);
            return;
        }
        inlineThread = Thread.currentThread();
        try {
            task.run();
        } catch (Throwable t) {
            onError.accept(t);
        } finally {
            inlineThread = null;
        }
        if (pending.decrementAndGet() > 0) {
            executor.execute(drain); // what arrived meanwhile runs on the pool, in order
        }
    }

    /**
     * True while the calling thread runs a task of this actor through {@link #executeInline}, i.e. on the
     * thread that submitted it rather than on a worker.
     */
    public boolean runningInline() {
        return inlineThread == Thread.currentThread();
    }

    /** Tasks queued and not yet finished. */
    public int backlog() {
        return pending.get();
    }

    private void drain() {
        // A bounded batch, then yield the worker so one busy actor cannot starve the others.
        for (int batch = 1; ; batch++) {
            Runnable task = queue.poll();
            try {
                task.run();
            } catch (Throwable t) {
                onError.accept(t);
            }
            if (pending.decrementAndGet() == 0) {
                return;
            }
            if (batch == 64) {
                executor.execute(drain);
                return;
            }
        }
    }
}
