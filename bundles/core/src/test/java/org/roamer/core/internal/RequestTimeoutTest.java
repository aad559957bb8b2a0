/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.MessageType;
import org.roamer.core.internal.node.UserSignalingServer;

/** Requests time out on the core's timer, but their continuations never run on (and so never block) it. */
class RequestTimeoutTest {
    @Test
    void aTimedOutRequestsContinuationRunsOffTheTimerAndTheTimerKeepsFiring() throws Exception {
        try (InVmNetwork net = new InVmNetwork(1, 200, 1000, 300); FakeUss silent = new FakeUss(net, "c9")) {
            UserSignalingServer u = net.uss("c1");
            AtomicReference<String> thread = new AtomicReference<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CountDownLatch otherTimerFired = new CountDownLatch(1);
            AtomicBoolean timerRanMeanwhile = new AtomicBoolean();
            CountDownLatch done = new CountDownLatch(1);
            u.request(silent.endpoint.localAddress(), Frame.of(MessageType.LOCATE, u.nextCorrelation(), "m1",
                    "{}".getBytes()), 50).whenComplete((r, e) -> {
                        thread.set(Thread.currentThread().getName());
                        failure.set(e);
                        // a slow continuation (say, a connect to a dead node): the timer must fire meanwhile
                        net.core.schedule(otherTimerFired::countDown, 10, TimeUnit.MILLISECONDS);
                        try {
                            timerRanMeanwhile.set(otherTimerFired.await(10, TimeUnit.SECONDS));
                        } catch (InterruptedException x) {
                            Thread.currentThread().interrupt();
                        }
                        done.countDown();
                    });
            assertThat(done.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(failure.get()).isInstanceOf(TimeoutException.class).hasMessageContaining("LOCATE");
            assertThat(thread.get()).as("thread of the time-out continuation").doesNotStartWith("roamer-timer");
            assertThat(timerRanMeanwhile).as("the timer fired while the continuation ran").isTrue();
        }
    }

    @Test
    void aRequestMadeWhileTheRuntimeStopsFailsAtOnce() throws Exception {
        try (InVmNetwork net = new InVmNetwork(1, 200, 1000, 300)) {
            UserSignalingServer u = net.uss("c1");
            net.core.close();
            CompletableFuture<Frame> f = u.request(u.address(), Frame.of(MessageType.LOCATE, u.nextCorrelation(), "m1",
                    "{}".getBytes()), 60_000);
            assertThat(f).isDone();
            assertThatThrownBy(f::get).isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOf(TimeoutException.class).hasMessageContaining("stopping");
        }
    }
}
